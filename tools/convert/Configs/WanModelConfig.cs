namespace Wan.Convert.Configs;

/// <summary>WanModel / WanTransformer3DModel hyper-parameters.</summary>
public sealed record DitConfig(
    int Dim, int NumHeads, int FfnDim, int FreqDim, int TextDim, int InDim, int OutDim, int NumLayers,
    int[] PatchSize, double Eps, bool CrossAttnNorm, int RopeMaxSeqLen)
{
    public int HeadDim => Dim / NumHeads;
}

/// <summary>umT5 encoder hyper-parameters (<c>HeadDim * NumHeads</c> is the attention width).</summary>
public sealed record T5Config(
    int VocabSize, int Dim, int DimFfn, int NumHeads, int HeadDim, int NumLayers, int NumBuckets, int MaxDistance, double Eps);

/// <summary>Wan2.1 causal 3D VAE hyper-parameters and the latent scaling constants.</summary>
public sealed record VaeConfig(
    int BaseDim, int ZDim, int[] DimMult, int NumResBlocks, bool[] TemperalDownsample,
    double[] LatentsMean, double[] LatentsStd);

/// <summary>Sampling facts that live in the pipeline: expert boundary (null for one DiT) and the official shift.</summary>
public sealed record PipelineConfig(double? BoundaryRatio, double SampleShift, int NumTrainTimesteps);

/// <summary>Everything needed to write the diffusers configs of a Wan model.</summary>
public sealed record WanModelConfig(DitConfig Dit, int Experts, T5Config T5, VaeConfig Vae, PipelineConfig Pipeline);
