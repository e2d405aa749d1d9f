namespace Monitoring.LoadBench;

/// <summary>The last lines a child process printed, for the message when it fails. Safe for both output streams at once.</summary>
internal sealed class OutputTail
{
    private const int MaxLines = 40;

    private readonly Queue<string> _lines = new();

    public void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_lines)
        {
            _lines.Enqueue(line);
            while (_lines.Count > MaxLines)
            {
                _lines.Dequeue();
            }
        }
    }

    public override string ToString()
    {
        lock (_lines)
        {
            return string.Join(Environment.NewLine, _lines);
        }
    }
}
