namespace Wan.Kernels.Interop;

/// <summary>
/// CUresult of the driver API. Only the codes our code branches on are named; every other code is
/// named by <c>cuGetErrorName</c> when it is reported.
/// </summary>
internal enum CuResult
{
    Success = 0,
    OutOfMemory = 2,
    NoDevice = 100,
    NotFound = 500,
}
