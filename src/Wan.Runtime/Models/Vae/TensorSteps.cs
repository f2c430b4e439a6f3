using Wan.Runtime.Tensors;

namespace Wan.Runtime.Models.Vae;

internal static class TensorSteps
{
    /// <summary>Runs one step of a chain and disposes the intermediate it consumed.</summary>
    public static Tensor Then(this Tensor input, Func<Tensor, Tensor> step)
    {
        try
        {
            return step(input);
        }
        finally
        {
            input.Dispose();
        }
    }
}
