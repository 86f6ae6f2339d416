using Engine.Core;
using Engine.Text;

namespace Engine.Wast.Scripts;

/// <summary>
/// Parses a spec test script (<c>.wast</c>) into <see cref="ScriptCommand"/>s, the same model the
/// wast2json loader produces, so one runner executes both.
/// </summary>
/// <remarks>
/// <para>Modules to define or instantiate (<c>module</c>, <c>assert_unlinkable</c>, <c>assert_trap</c> on a
/// module) are parsed here and carry their binary. Modules that must fail (<c>assert_malformed</c>,
/// <c>assert_invalid</c>) keep their text when they are text or <c>quote</c> modules, so the runner
/// parses them and expects the failure; binary modules carry their bytes.</para>
/// <para>Every command's <see cref="ScriptCommand.Line"/> follows wast2json: the line of the module or
/// action inside an assertion, else the line of the command itself.</para>
/// </remarks>
public static class WastParser
{
    /// <summary>Parses a script.</summary>
    /// <param name="text">The script's text.</param>
    /// <param name="fileName">The script's file name, for messages and <see cref="ScriptModule.Origin"/>.</param>
    /// <returns>The commands in order.</returns>
    /// <exception cref="TextFormatException">The script (or a module it defines) is not well formed.</exception>
    public static IReadOnlyList<ScriptCommand> ParseScript(string text, string fileName) => ParseScript(text, fileName, keepGoing: false);

    /// <summary>
    /// Parses a script; with <paramref name="keepGoing"/>, a command that is a balanced s-expression but cannot be read (an
    /// unknown command, or a module in a syntax the text parser does not know) becomes a
    /// <see cref="ScriptCommandKind.Unreadable"/> command carrying the parser's message, and the rest is read.
    /// </summary>
    /// <exception cref="TextFormatException">The script is not well formed (any command, unless <paramref name="keepGoing"/>).</exception>
    public static IReadOnlyList<ScriptCommand> ParseScript(string text, string fileName, bool keepGoing)
    {
        using TokenCursor cursor = TokenCursor.Open(text, fileName);
        return new ScriptReader(cursor, text, fileName, keepGoing).ReadAll();
    }

    /// <summary>How a script module will be used, which decides whether it is parsed now.</summary>
    private enum ModuleUse
    {
        /// <summary>Defined and instantiated: parse it now.</summary>
        Instantiate,
        /// <summary>Must fail to parse or validate: keep text modules as text.</summary>
        ExpectFailure,
    }

    private sealed class ScriptReader
    {
        private readonly TokenCursor _in;
        private readonly string _text;
        private readonly string _fileName;
        private readonly List<ScriptCommand> _commands = new();
        private int _lineOffset;
        private int _line = 1;

        private readonly bool _keepGoing;

        public ScriptReader(TokenCursor cursor, string text, string fileName, bool keepGoing)
        {
            _keepGoing = keepGoing;
            _in = cursor;
            _text = text;
            _fileName = fileName;
        }

        public IReadOnlyList<ScriptCommand> ReadAll()
        {
            if (IsModuleField(_in.FormKeyword))
            {
                // A script may be just the fields of one module (spec: script ::= cmd* | modulefield*).
                int line = LineOfForm();
                string origin = $"{_fileName}:{line}";
                _commands.Add(new ScriptCommand { Kind = ScriptCommandKind.Module, Line = line, Module = new ScriptModule { Binary = WatParser.ParseModule(_in), Origin = origin } });
                return _commands;
            }
            while (_in.Kind != TokenKind.End)
            {
                _commands.Add(ReadCommandOrUnreadable());
            }
            return _commands;
        }

        private static bool IsModuleField(ReadOnlySpan<char> keyword) =>
            keyword is "type" or "import" or "func" or "table" or "memory" or "global" or "export" or "start" or "elem" or "data";

        /// <summary>
        /// The next command; a command that is a well-formed s-expression but that this reader (or the text parser of a
        /// module in it) rejects becomes an <see cref="ScriptCommandKind.Unreadable"/> command, and reading goes on after it.
        /// </summary>
        private ScriptCommand ReadCommandOrUnreadable()
        {
            int start = _in.Position;
            if (!_keepGoing || _in.Kind != TokenKind.LeftParen)
            {
                return ReadCommand();
            }
            int line = LineOfForm();
            try
            {
                return ReadCommand();
            }
            catch (TextFormatException e)
            {
                _in.Position = start;
                _in.SkipForm();
                return new ScriptCommand { Kind = ScriptCommandKind.Unreadable, Line = line, Text = e.Message };
            }
        }

        private ScriptCommand ReadCommand()
        {
            int line = LineOfForm();
            ReadOnlySpan<char> keyword = _in.FormKeyword;
            switch (keyword)
            {
                case "module" when _in.KindAhead(2) == TokenKind.Atom && _in.TextAt(_in.Position + 2).SequenceEqual("instance"):
                    return ReadModuleInstance(line);
                case "module":
                    return new ScriptCommand { Kind = ScriptCommandKind.Module, Line = line, Module = ReadModule(ModuleUse.Instantiate) };
                case "assert_exception":
                    return ReadAssertException();
                case "register":
                    return ReadRegister(line);
                case "invoke":
                case "get":
                    return new ScriptCommand { Kind = ScriptCommandKind.Action, Line = line, Action = ReadAction() };
                case "assert_return":
                    return ReadAssertReturn();
                case "assert_trap":
                    return ReadAssertTrap();
                case "assert_exhaustion":
                    return ReadActionAssertion(ScriptCommandKind.AssertExhaustion);
                case "assert_malformed":
                    return ReadModuleAssertion(ScriptCommandKind.AssertMalformed, ModuleUse.ExpectFailure);
                case "assert_invalid":
                    return ReadModuleAssertion(ScriptCommandKind.AssertInvalid, ModuleUse.ExpectFailure);
                case "assert_unlinkable":
                    return ReadModuleAssertion(ScriptCommandKind.AssertUnlinkable, ModuleUse.Instantiate);
                default:
                    throw _in.Unexpected("a script command: (module, (register, (invoke, (get or (assert_...");
            }
        }

        /// <summary><c>(module instance $instance? $definition?)</c>.</summary>
        private ScriptCommand ReadModuleInstance(int line)
        {
            _in.Position += 3;
            string? instance = _in.TryId(out ReadOnlySpan<char> id) ? id.ToString() : null;
            string? definition = _in.TryId(out id) ? id.ToString() : null;
            _in.ExpectRightParen();
            return new ScriptCommand { Kind = ScriptCommandKind.ModuleInstance, Line = line, InstanceName = instance, RegisterModuleName = definition };
        }

        /// <summary><c>(assert_exception action)</c>: the action must throw a WebAssembly exception.</summary>
        private ScriptCommand ReadAssertException()
        {
            _in.Position += 2;
            int line = LineOfForm();
            ScriptAction action = ReadAction();
            _in.ExpectRightParen();
            return new ScriptCommand { Kind = ScriptCommandKind.AssertException, Line = line, Action = action };
        }

        private ScriptCommand ReadRegister(int line)
        {
            _in.EnterForm("register");
            string name = _in.ReadName("the name to register the module as");
            string? moduleName = _in.TryId(out ReadOnlySpan<char> id) ? id.ToString() : null;
            _in.ExpectRightParen();
            return new ScriptCommand { Kind = ScriptCommandKind.Register, Line = line, RegisterAs = name, RegisterModuleName = moduleName };
        }

        private ScriptCommand ReadAssertReturn()
        {
            _in.EnterForm("assert_return");
            int line = LineOfForm();
            ScriptAction action = ReadAction();
            var expected = new List<ScriptValue>();
            while (_in.AtLeftParen)
            {
                expected.Add(ReadValue(isResult: true));
            }
            _in.ExpectRightParen();
            return new ScriptCommand { Kind = ScriptCommandKind.AssertReturn, Line = line, Action = action, Expected = expected };
        }

        /// <summary><c>(assert_trap action "text")</c>, or with a module: the module must trap while instantiating.</summary>
        private ScriptCommand ReadAssertTrap()
        {
            if (_in.KindAhead(2) == TokenKind.LeftParen && _in.TextAt(_in.Position + 3).SequenceEqual("module"))
            {
                return ReadModuleAssertion(ScriptCommandKind.AssertUninstantiable, ModuleUse.Instantiate);
            }
            return ReadActionAssertion(ScriptCommandKind.AssertTrap);
        }

        private ScriptCommand ReadActionAssertion(ScriptCommandKind kind)
        {
            _in.Position += 2;
            int line = LineOfForm();
            ScriptAction action = ReadAction();
            string message = _in.ReadName("the expected failure message");
            _in.ExpectRightParen();
            return new ScriptCommand { Kind = kind, Line = line, Action = action, Text = message };
        }

        private ScriptCommand ReadModuleAssertion(ScriptCommandKind kind, ModuleUse use)
        {
            _in.Position += 2;
            int line = LineOfForm();
            ScriptModule module = ReadModule(use);
            string message = _in.ReadName("the expected failure message");
            _in.ExpectRightParen();
            return new ScriptCommand { Kind = kind, Line = line, Module = module, Text = message };
        }

        /// <summary><c>(module $id? ...)</c> in text, <c>binary</c> or <c>quote</c> form.</summary>
        private ScriptModule ReadModule(ModuleUse use)
        {
            string origin = $"{_fileName}:{LineOfForm()}";
            ModuleForm form = WatParser.ReadModuleForm(_in, keepText: use == ModuleUse.ExpectFailure);
            return new ScriptModule { Binary = form.Binary, Text = form.Text, Name = form.Id, Origin = origin, IsDefinition = form.IsDefinition };
        }

        /// <summary><c>(invoke $id? "name" value*)</c> or <c>(get $id? "name")</c>.</summary>
        private ScriptAction ReadAction()
        {
            bool isGet = _in.AtForm("get");
            if (!isGet && !_in.AtForm("invoke"))
            {
                throw _in.Unexpected("an action: \"(invoke\" or \"(get\"");
            }
            _in.Position += 2;
            string? moduleName = _in.TryId(out ReadOnlySpan<char> id) ? id.ToString() : null;
            string field = _in.ReadName("the export name");
            var args = new List<ScriptValue>();
            while (!isGet && _in.AtLeftParen)
            {
                args.Add(ReadValue(isResult: false));
            }
            _in.ExpectRightParen();
            return new ScriptAction { IsGet = isGet, ModuleName = moduleName, Field = field, Args = args };
        }

        /// <summary>A constant argument, or an expected result (which may also be a NaN pattern or <c>(ref.func)</c>).</summary>
        private ScriptValue ReadValue(bool isResult)
        {
            ReadOnlySpan<char> keyword = _in.FormKeyword;
            if (keyword.IsEmpty)
            {
                throw _in.Unexpected("a value such as \"(i32.const\"");
            }
            int at = _in.Position + 1;
            if (isResult && keyword is "either")
            {
                _in.Position += 2;
                var alternatives = new List<ScriptValue>();
                while (_in.AtLeftParen)
                {
                    alternatives.Add(ReadValue(isResult: true));
                }
                _in.ExpectRightParen();
                return new ScriptValue { Type = ValType.Bottom, Alternatives = alternatives };
            }
            _in.Position += 2;
            ScriptValue value = keyword switch
            {
                "i32.const" => new ScriptValue { Type = ValType.I32, Low = ReadInteger(32) },
                "i64.const" => new ScriptValue { Type = ValType.I64, Low = ReadInteger(64) },
                "f32.const" => ReadFloatValue(ValType.F32, NumberParser.Single, isResult),
                "f64.const" => ReadFloatValue(ValType.F64, NumberParser.Double, isResult),
                "v128.const" => ReadVectorValue(isResult),
                "ref.null" => ReadNullReference(isResult),
                "ref.extern" when isResult && _in.AtRightParen => new ScriptValue { Type = ValType.ExternRef, AnyNonNull = true },
                "ref.extern" => new ScriptValue { Type = ValType.ExternRef, Low = ReadInteger(64) },
                "ref.func" when isResult && _in.AtRightParen => new ScriptValue { Type = ValType.FuncRef, AnyNonNull = true },
                "ref.host" => new ScriptValue { Type = ValType.Bottom, UnsupportedPattern = $"(ref.host {ReadInteger(64)})" },
                "ref.any" or "ref.eq" or "ref.i31" or "ref.struct" or "ref.array" or "ref.exn" when isResult && _in.AtRightParen =>
                    new ScriptValue { Type = ValType.Bottom, UnsupportedPattern = $"({keyword})" },
                _ => throw _in.ErrorAt(at, $"unexpected token {_in.Describe(at)}: expected a {(isResult ? "result" : "constant")}"),
            };
            _in.ExpectRightParen();
            return value;
        }

        /// <summary>
        /// <c>ref.null ht</c>. As a result, <c>ref.null</c> alone matches any null reference, and a heap type matches the
        /// null of its hierarchy (a null has no more precise type).
        /// </summary>
        private ScriptValue ReadNullReference(bool isResult)
        {
            if (isResult && _in.AtRightParen)
            {
                return new ScriptValue { Type = ValType.Bottom, IsNull = true };
            }
            if (_in.TryKeyword("func") || (isResult && _in.TryKeyword("nofunc")))
            {
                return new ScriptValue { Type = ValType.FuncRef, IsNull = true };
            }
            if (_in.TryKeyword("extern") || (isResult && _in.TryKeyword("noextern")))
            {
                return new ScriptValue { Type = ValType.ExternRef, IsNull = true };
            }
            if (_in.Kind == TokenKind.Atom && _in.Text is "any" or "eq" or "i31" or "struct" or "array" or "none" or "exn" or "noexn"
                or "nofunc" or "noextern")
            {
                string heap = _in.Text.ToString();
                _in.Advance();
                return new ScriptValue { Type = ValType.Bottom, IsNull = true, UnsupportedPattern = $"(ref.null {heap})" };
            }
            throw _in.Unexpected("a heap type (func, extern, any, eq, i31, struct, array, exn, none, nofunc, noextern, noexn)");
        }

        private ScriptValue ReadFloatValue(ValType type, FloatLayout layout, bool isResult)
        {
            NanPattern nan = isResult ? ReadNanPattern() : NanPattern.None;
            if (nan != NanPattern.None)
            {
                return new ScriptValue { Type = type, Nan = nan };
            }
            return new ScriptValue { Type = type, Low = ReadFloat(layout) };
        }

        private NanPattern ReadNanPattern()
        {
            if (_in.TryKeyword("nan:canonical"))
            {
                return NanPattern.Canonical;
            }
            return _in.TryKeyword("nan:arithmetic") ? NanPattern.Arithmetic : NanPattern.None;
        }

        /// <summary><c>v128.const shape lane*</c>; in results, float lanes may be NaN patterns.</summary>
        private ScriptValue ReadVectorValue(bool isResult)
        {
            ReadOnlySpan<char> shape = _in.Kind == TokenKind.Atom ? _in.Text : default;
            (string laneType, int laneBits, FloatLayout? layout) = shape switch
            {
                "i8x16" => ("i8", 8, (FloatLayout?)null),
                "i16x8" => ("i16", 16, null),
                "i32x4" => ("i32", 32, null),
                "i64x2" => ("i64", 64, null),
                "f32x4" => ("f32", 32, NumberParser.Single),
                "f64x2" => ("f64", 64, NumberParser.Double),
                _ => throw _in.Unexpected("a vector shape (i8x16, i16x8, i32x4, i64x2, f32x4, f64x2)"),
            };
            _in.Advance();
            int lanes = 128 / laneBits;
            Span<ulong> bits = stackalloc ulong[lanes];
            NanPattern[]? laneNans = null;
            for (int i = 0; i < lanes; i++)
            {
                if (_in.Kind != TokenKind.Atom)
                {
                    throw _in.Error($"wrong number of lane literals: expected {lanes} for {shape}, found {i}");
                }
                NanPattern nan = layout != null && isResult ? ReadNanPattern() : NanPattern.None;
                if (nan != NanPattern.None)
                {
                    laneNans ??= new NanPattern[lanes];
                    laneNans[i] = nan;
                }
                else
                {
                    bits[i] = layout == null ? ReadInteger(laneBits) : ReadFloat(layout);
                }
            }
            return ScriptValue.Vector(laneType, laneBits, bits, laneNans);
        }

        private ulong ReadInteger(int bits)
        {
            ReadOnlySpan<char> text = _in.ExpectAtom($"an i{bits} literal");
            LiteralStatus status = NumberParser.ParseInteger(text, bits, out ulong value);
            if (status != LiteralStatus.Ok)
            {
                throw _in.ErrorAt(_in.Position - 1, status == LiteralStatus.OutOfRange ? "constant out of range" : $"unknown operator: expected an i{bits} literal");
            }
            return value;
        }

        private ulong ReadFloat(FloatLayout layout)
        {
            ReadOnlySpan<char> text = _in.ExpectAtom("a float literal");
            LiteralStatus status = NumberParser.ParseFloat(text, layout, out ulong bits);
            if (status != LiteralStatus.Ok)
            {
                throw _in.ErrorAt(_in.Position - 1, status == LiteralStatus.OutOfRange ? "constant out of range" : "unknown operator: expected a float literal");
            }
            return bits;
        }

        /// <summary>
        /// The 1-based line of the keyword of the form at the cursor (wast2json's line for a command);
        /// commands move forward, so counting resumes from the last one.
        /// </summary>
        private int LineOfForm()
        {
            int offset = _in.OffsetOf(Math.Min(_in.Position + 1, _in.Count - 1));
            if (offset < _lineOffset)
            {
                _lineOffset = 0;
                _line = 1;
            }
            _line += _text.AsSpan(_lineOffset, offset - _lineOffset).Count('\n');
            _lineOffset = offset;
            return _line;
        }
    }
}
