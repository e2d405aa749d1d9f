using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Mvc;
using Monitoring.DataApi.Endpoints;
using Monitoring.DataApi.OpenApi;

namespace Monitoring.DataApi;

/// <summary>
/// Every type the DataApi serializes through the HTTP JSON options, and every type the OpenAPI document describes:
/// their serialization code is generated at build time. The native (AOT) executable has no reflection-based
/// serializer, so a type missing here fails there at run time; the JIT build uses the same contract, so the tests of
/// either build see the same JSON. Items and pages are written by hand (<see cref="StoredItemJson"/>) and are here only
/// for their schemas.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ServiceInfo))]
[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(ProblemDetails))]
[JsonSerializable(typeof(DataItem))]
[JsonSerializable(typeof(DataItemRequest))]
[JsonSerializable(typeof(DataPage))]
internal sealed partial class DataApiJsonContext : JsonSerializerContext;
