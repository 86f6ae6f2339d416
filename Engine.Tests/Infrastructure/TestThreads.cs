using System.Runtime.ExceptionServices;

namespace Engine.Tests;

/// <summary>Runs test code on a thread of its own, for tests that need a stack of a given size.</summary>
internal static class TestThreads
{
    /// <summary>
    /// Runs <paramref name="action"/> on a new thread with <paramref name="maxStackSize"/> bytes of stack and waits for
    /// it; an exception it throws is rethrown here with its original stack trace, so assertions inside fail the test.
    /// </summary>
    public static void RunWithStack(int maxStackSize, Action action)
    {
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                action();
            }
            catch (Exception e)
            {
                failure = e;
            }
        }, maxStackSize);
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            ExceptionDispatchInfo.Capture(failure).Throw();
        }
    }
}
