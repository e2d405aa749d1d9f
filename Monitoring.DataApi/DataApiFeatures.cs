using Monitoring.DataApi.Data;

namespace Monitoring.DataApi;

/// <summary>
/// The optional parts of the DataApi, decided once at start from bound options: the service registration, the
/// request pipeline and the endpoints all read this one answer.
/// </summary>
/// <param name="Metrics">Metrics are exported (<c>METRICS_ENABLED</c>, the service defaults' switch).</param>
/// <param name="ApiKey">POST and DELETE require the API key (<c>API_KEY</c> is set).</param>
/// <param name="FaultInjection">A request may choose its own error status (<c>FAULT_INJECTION_ENABLED</c>; tests only).</param>
/// <param name="Store">SQLite or PostgreSQL (<c>DATA_STORE</c>, <c>ConnectionStrings__data</c>: <see cref="DataStoreSelection"/>).</param>
public sealed record DataApiFeatures(bool Metrics, bool ApiKey, bool FaultInjection, DataStoreKind Store = DataStoreKind.Sqlite);
