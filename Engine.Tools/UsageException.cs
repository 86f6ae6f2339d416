namespace Engine.Tools;

/// <summary>
/// A command line that cannot be followed (an unknown command or option, a missing or malformed value, an
/// unreadable file): the program prints the message with a hint at its usage and exits with code 2.
/// </summary>
public sealed class UsageException(string message) : Exception(message);
