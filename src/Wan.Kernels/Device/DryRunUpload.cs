namespace Wan.Kernels.Device;

/// <summary>
/// One upload a <see cref="DryRunDevice"/> was asked for (<see cref="IUploadStream.Upload"/>): the bytes its copy
/// stream would move host → device, and whether it was ordered after a compute mark (an upload into memory that
/// earlier kernels read must be).
/// </summary>
/// <param name="Bytes">bytes copied.</param>
/// <param name="AfterComputeMark">whether a <see cref="ComputeMark"/> ordered it after earlier compute work.</param>
public readonly record struct DryRunUpload(long Bytes, bool AfterComputeMark);
