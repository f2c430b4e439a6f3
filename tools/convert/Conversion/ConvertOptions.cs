using Wan.Convert.Precision;

namespace Wan.Convert.Conversion;

/// <summary>How to convert: weight precision, shard size limit, and an optional JSON file of hyper-parameters
/// (same keys as wan_config.json) that takes priority over everything in the source.</summary>
public sealed record ConvertOptions(TargetPrecision Precision = TargetPrecision.Fp32, long MaxShardBytes = 5_000_000_000, string? OptionsFile = null);

/// <summary>Progress of a conversion in bytes written, for a progress bar.</summary>
public sealed record ConversionProgress(string Component, long BytesDone, long BytesTotal);
