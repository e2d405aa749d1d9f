using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication;

namespace Monitoring.DataApi.Security;

/// <summary>The authentication scheme that checks a request's <c>X-API-Key</c> header against <see cref="ApiKeyOptions.Key"/>.</summary>
public sealed class ApiKeySchemeOptions : AuthenticationSchemeOptions
{
    public const string Scheme = "ApiKey";
    public const string HeaderName = "X-API-Key";
    public const string WritePolicy = "DataWriter";

    private byte[] _keyHash = [];

    /// <summary>Keeps only the key's hash: the key itself is never held, logged or compared.</summary>
    public void UseKey(string key) => _keyHash = SHA256.HashData(Encoding.UTF8.GetBytes(key));

    /// <summary>
    /// Compares hashes of equal length in fixed time, so that neither the time taken nor an early exit tells an
    /// attacker how much of a guess was right (or how long the key is).
    /// </summary>
    public bool Matches(string supplied) =>
        _keyHash.Length > 0 && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(supplied)), _keyHash);
}
