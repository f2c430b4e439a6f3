using Wan.Runtime.Config;

namespace Wan.Convert.Configs;

/// <summary>Sampling facts that live in the pipeline: expert boundary (null for one DiT) and the official shift.</summary>
public sealed record PipelineConfig(double? BoundaryRatio, double SampleShift, int NumTrainTimesteps);

/// <summary>
/// Everything needed to write the configs of a Wan model, in the runtime's own config records (the ones
/// <c>wan</c> reads back): the DiT, the umT5 encoder, the VAE, and the pipeline facts.
/// </summary>
public sealed record WanModelConfig(DitConfig Dit, int Experts, Umt5Config T5, VaeConfig Vae, PipelineConfig Pipeline);
