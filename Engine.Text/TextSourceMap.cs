using Engine.Core;

namespace Engine.Text;

/// <summary>
/// Where the instructions of a module parsed from text came from: for each instruction of the code section,
/// its binary offset and the line and column of its keyword (of a folded instruction, the operator's keyword;
/// of a block's end, <c>end</c> or the closing parenthesis). With it, an error the decoder or validator reports
/// at a binary offset the user never saw is reported where the user wrote the instruction.
/// </summary>
public sealed class TextSourceMap
{
    private readonly string _text;
    private readonly int[] _binaryOffsets;
    private readonly int[] _textOffsets;
    private readonly (int Start, int End)[] _sections;

    private TextSourceMap(string text, string? fileName, int[] binaryOffsets, int[] textOffsets, (int Start, int End)[] sections)
    {
        _text = text;
        FileName = fileName;
        _binaryOffsets = binaryOffsets;
        _textOffsets = textOffsets;
        _sections = sections;
    }

    /// <summary>The file name given to the parser, or null.</summary>
    public string? FileName { get; }

    /// <summary>The number of positions recorded.</summary>
    public int Count => _binaryOffsets.Length;

    /// <summary>
    /// The 1-based line and column (in UTF-16 code units) of what was encoded at <paramref name="binaryOffset"/>: in
    /// the code, the instruction at or last before it in its function; in another section, the module field
    /// (or the instruction of its constant expression). False for an offset of no section the text wrote (the
    /// header, the type section, the name section).
    /// </summary>
    public bool TryFind(long binaryOffset, out int line, out int column)
    {
        line = column = 0;
        int section = Array.FindIndex(_sections, range => binaryOffset >= range.Start && binaryOffset < range.End);
        if (section < 0)
        {
            return false;
        }
        // The last mark at or before the offset (of equal ones, the last recorded: a field that wrote nothing to a
        // section, or an instruction removed again such as an empty else, leaves its offset to the next one).
        int low = 0, high = _binaryOffsets.Length;
        while (low < high)
        {
            int middle = (low + high) >>> 1;
            if (_binaryOffsets[middle] <= binaryOffset)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }
        if (low == 0 || _binaryOffsets[low - 1] < _sections[section].Start)
        {
            return false;
        }
        int offset = Math.Clamp(_textOffsets[low - 1], 0, _text.Length);
        line = 1;
        int lineStart = 0;
        for (int i = 0; i < offset; i++)
        {
            if (_text[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }
        column = offset - lineStart + 1;
        return true;
    }

    /// <summary>
    /// <paramref name="exception"/> (of this module's binary) at the text position of its offset, or the exception
    /// itself when the offset is of no position recorded (or it has a text position already).
    /// </summary>
    public InvalidModuleException Locate(InvalidModuleException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception.Line == 0 && TryFind(exception.Offset, out int line, out int column)
            ? new InvalidModuleException(exception.Reason, exception.Offset, FileName, line, column)
            : exception;
    }

    /// <summary>Collects the marks while a module is encoded: per section body, then placed when the module is assembled.</summary>
    internal sealed class Builder
    {
        private readonly Dictionary<ByteWriter, List<(int Offset, int Text)>> _marks = new(ReferenceEqualityComparer.Instance);
        private readonly List<(int Body, int Text)> _function = new();
        private readonly List<int> _binary = new();
        private readonly List<int> _textOffsets = new();
        private readonly List<(int Start, int End)> _sections = new();

        /// <summary>The next byte written at <paramref name="offset"/> of a section's body comes from <paramref name="textOffset"/>.</summary>
        public void Mark(ByteWriter section, int offset, int textOffset)
        {
            if (!_marks.TryGetValue(section, out List<(int, int)>? marks))
            {
                _marks[section] = marks = new();
            }
            marks.Add((offset, textOffset));
        }

        public void BeginFunction() => _function.Clear();

        /// <summary>The next byte written at <paramref name="bodyOffset"/> of the function's body comes from <paramref name="textOffset"/>.</summary>
        public void MarkFunction(int bodyOffset, int textOffset) => _function.Add((bodyOffset, textOffset));

        /// <summary>The function's body was placed at <paramref name="offset"/> of the code section's body.</summary>
        public void EndFunction(ByteWriter codeSection, int offset)
        {
            foreach (var (body, text) in _function)
            {
                Mark(codeSection, offset + body, text);
            }
            _function.Clear();
        }

        /// <summary>A section's body was placed at <paramref name="start"/> of the module and ends before <paramref name="end"/> (call in address order).</summary>
        public void Placed(ByteWriter section, int start, int end)
        {
            if (start == end || !_marks.TryGetValue(section, out List<(int Offset, int Text)>? marks))
            {
                return;
            }
            _sections.Add((start, end));
            foreach (var (offset, text) in marks)
            {
                _binary.Add(start + offset);
                _textOffsets.Add(text);
            }
        }

        public TextSourceMap Build(string text, string? fileName) =>
            new(text, fileName, _binary.ToArray(), _textOffsets.ToArray(), _sections.ToArray());
    }
}
