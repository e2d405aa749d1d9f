using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Monitoring.Tests.Infrastructure;

/// <summary>
/// One HTTP/1.1 request written byte for byte on a fresh loopback connection, and the response read until the server
/// closes it: for what HttpClient refuses to send (bad tokens, bare LF, conflicting lengths, control characters), and
/// for requests the server answers before it has read their body.
/// </summary>
public static class RawHttpExchange
{
    public static async Task<RawHttpResponse?> SendAsync(int port, byte[] request, TimeSpan timeout) =>
        RawHttpResponse.Parse(await ExchangeAsync(port, request, timeout));

    /// <summary>
    /// Every byte the server sent until it closed the connection, unparsed: for what <see cref="RawHttpResponse"/>
    /// frames away (the body's length against its Content-Length, bytes after a HEAD response's head).
    /// </summary>
    public static async Task<byte[]> ExchangeAsync(int port, byte[] request, TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellation.Token);
        // Read while writing: the server may answer (413, 400) and close before it has read the whole request.
        var receiving = ReceiveAllAsync(socket, cancellation.Token);
        try
        {
            await socket.SendAsync(request, SocketFlags.None, cancellation.Token);
        }
        catch (SocketException)
        {
            // The answer, if any, is what receiving finds.
        }
        return await receiving;
    }

    private static async Task<byte[]> ReceiveAllAsync(Socket socket, CancellationToken cancellationToken)
    {
        var received = new MemoryStream();
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
                if (read == 0)
                {
                    break;
                }
                received.Write(buffer, 0, read);
            }
        }
        catch (SocketException) when (received.Length > 0)
        {
            // A reset after the response: what was read is the answer.
        }
        return received.ToArray();
    }

    /// <summary>A request with <c>Connection: close</c>, so that the response ends where the connection does.</summary>
    public static byte[] Compose(string requestLine, IEnumerable<string> headerLines, byte[] body, string lineEnd = "\r\n")
    {
        var head = new StringBuilder();
        head.Append(requestLine).Append(lineEnd);
        foreach (var line in headerLines)
        {
            head.Append(line).Append(lineEnd);
        }
        head.Append("Connection: close").Append(lineEnd).Append(lineEnd);
        // Latin-1 keeps every char below 256 as that one byte: the fuzzer chooses the bytes, including invalid UTF-8.
        return [.. Encoding.Latin1.GetBytes(head.ToString()), .. body];
    }
}
