namespace Wan.Runtime.Backends.Cuda;

/// <summary>
/// The CUDA backend declares the VAE family: every <see cref="IVaeOps"/> op runs on the device
/// (CudaBackend.VaeConv.cs, .VaeNorm.cs, .VaeLayout.cs; kernels/cuda/vae_*.cu), checked against the
/// <c>vae_decode</c>/<c>vae_encode</c> goldens on the emulated device in fp32, bf16 and fp16, so the
/// engine routes the VAE here by default.
/// </summary>
public sealed partial class CudaBackend : IVaeOps;
