namespace Engine.Tools;

/// <summary>
/// A command line that cannot be followed (an unknown command or option, a missing or malformed value, an
/// unreadable file): the program reports it in one line and exits with code 2; with <paramref name="showHelpHint"/>
/// the line points to the command's help (for mistakes in the command line's shape rather than in a value).
/// </summary>
public sealed class UsageException(string message, bool showHelpHint = false) : Exception(message)
{
    /// <summary>Whether the report points to the command's <c>--help</c>.</summary>
    public bool ShowHelpHint => showHelpHint;
}
