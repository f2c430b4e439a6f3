using Wan.Runtime.Tensors;

namespace Wan.Convert.Pth;

/// <summary>A global the unpickler allows (it is only ever a name: nothing is imported or called).</summary>
internal sealed record PickleGlobal(string Module, string Name)
{
    public override string ToString() => $"{Module}.{Name}";
}

/// <summary>An immutable pickle tuple.</summary>
internal sealed record PickleTuple(IReadOnlyList<object?> Items);

/// <summary>A dict or OrderedDict, keeping insertion order (a state dict's order is the module's order).</summary>
internal sealed class PickleDict
{
    public List<KeyValuePair<object, object?>> Items { get; } = [];
}

/// <summary>A persistent id <c>('storage', type, key, location, numel)</c>: the bytes live in the zip entry <c>data/key</c>.</summary>
internal sealed record StorageRef(DType DType, string Key, long ElementCount);

/// <summary>What <c>torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)</c> describes.</summary>
internal sealed record TensorRecord(StorageRef Storage, long StorageOffset, int[] Size, long[] Stride);
