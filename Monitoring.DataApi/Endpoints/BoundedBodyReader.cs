using System.Buffers;

namespace Monitoring.DataApi.Endpoints;

/// <summary>Reads a request body whole, up to a bound, whatever its framing (Content-Length, chunked, decompressed).</summary>
public static class BoundedBodyReader
{
    private const int FirstBufferBytes = 16 * 1024;

    /// <summary>
    /// The body, or null when it is longer than <paramref name="maxBytes"/> (by its Content-Length, as read, or by the
    /// server's own body limit). A body the client broke (framing, a stall, a corrupt compressed stream) is rethrown as a
    /// 4xx <see cref="BadHttpRequestException"/>, which <see cref="Problems.ClientFaultHandler"/> answers.
    /// </summary>
    public static async Task<byte[]?> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return null;
        }

        try
        {
            return await ReadUpToAsync(request.Body, maxBytes, cancellationToken);
        }
        catch (BadHttpRequestException exception) when (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null;
        }
        catch (BadHttpRequestException)
        {
            throw;
        }
        catch (IOException exception)
        {
            // The server's own parser reports some framing errors (a chunk size past 2^31) as a plain IOException.
            throw new BadHttpRequestException($"The request body could not be read: {exception.Message}", StatusCodes.Status400BadRequest, exception);
        }
        catch (InvalidDataException exception)
        {
            throw new BadHttpRequestException("The request body could not be decompressed as its Content-Encoding says.", StatusCodes.Status400BadRequest, exception);
        }
    }

    private static async Task<byte[]?> ReadUpToAsync(Stream body, int maxBytes, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(FirstBufferBytes);
        try
        {
            var length = 0;
            while (length <= maxBytes)
            {
                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                // Never more than one byte past the limit: that byte is enough to refuse the body.
                var window = Math.Min(buffer.Length, maxBytes + 1) - length;
                var read = await body.ReadAsync(buffer.AsMemory(length, window), cancellationToken);
                if (read == 0)
                {
                    return buffer.AsSpan(0, length).ToArray();
                }
                length += read;
            }
            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
