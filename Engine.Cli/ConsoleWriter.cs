using System.Text;

namespace Engine.Cli;

/// <summary>
/// The process's stdout or stderr: a failed write (a full disk, <c>2&gt;/dev/full</c>, a closed pipe) either
/// throws <see cref="OutputException"/>, which the command line reports as an error, or is ignored, for stderr,
/// where there is nowhere left to report it.
/// </summary>
internal sealed class ConsoleWriter(TextWriter inner, ConsoleWriter.OnFailure onFailure) : TextWriter
{
    /// <summary>What a failed write does.</summary>
    public enum OnFailure
    {
        /// <summary>Throw <see cref="OutputException"/>.</summary>
        Throw,

        /// <summary>Drop the text (and every later write).</summary>
        Ignore,
    }

    private bool _failed;

    public override Encoding Encoding => inner.Encoding;

    public override void Write(char value) => Guard(() => inner.Write(value));

    public override void Write(string? value) => Guard(() => inner.Write(value));

    public override void Write(char[] buffer, int index, int count) => Guard(() => inner.Write(buffer, index, count));

    public override void WriteLine(string? value) => Guard(() => inner.WriteLine(value));

    public override void WriteLine() => Guard(inner.WriteLine);

    public override void Flush() => Guard(inner.Flush);

    private void Guard(Action write)
    {
        if (_failed && onFailure == OnFailure.Ignore)
        {
            return;
        }
        try
        {
            write();
        }
        catch (IOException e)
        {
            _failed = true;
            if (onFailure == OnFailure.Throw)
            {
                throw new OutputException(e.Message, e);
            }
        }
    }
}

/// <summary>Writing the command's output failed.</summary>
internal sealed class OutputException(string message, Exception inner) : Exception(message, inner);
