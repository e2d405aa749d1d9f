using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication;

namespace Monitoring.DataApi.Security;

/// <summary>The key that POST and DELETE require when <c>API_KEY</c> is set.</summary>
public sealed class ApiKeyOptions : AuthenticationSchemeOptions
{
    public const string Scheme = "ApiKey";
    public const string Setting = "API_KEY";
    public const string HeaderName = "X-API-Key";
    public const string WritePolicy = "DataWriter";

    /// <summary>Keys shorter than this are refused at start: a short key is guessable whatever the comparison.</summary>
    public const int MinLength = 16;

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
