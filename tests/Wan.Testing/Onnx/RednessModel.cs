using Google.Protobuf;

namespace Wan.Testing.Onnx;

/// <summary>
/// Writes a tiny ONNX image "classifier" the tests can reason about: score = mean(R) − (mean(G) + mean(B)) / 2 over a
/// float [N, 3, H, W] input in [0, 1] (ReduceMean over H and W, then MatMul by [1, −0.5, −0.5]ᵀ), output [N, 1].
/// A pure red frame scores 1, a pure blue one −0.5, a grey one 0.
/// </summary>
public static class RednessModel
{
    /// <summary>Writes the model to <paramref name="path"/>; <paramref name="size"/> fixes N = 1 and H = W = size (null: all dynamic).</summary>
    public static void Write(string path, int? size = null)
    {
        static TensorShapeProto.Types.Dimension Dim(long? value, string name) =>
            value is { } v ? new() { DimValue = v } : new() { DimParam = name };
        var shape = new TensorShapeProto();
        shape.Dim.Add([Dim(size is null ? null : 1, "N"), Dim(3, ""), Dim(size, "H"), Dim(size, "W")]);
        var outputShape = new TensorShapeProto();
        outputShape.Dim.Add([Dim(size is null ? null : 1, "N"), Dim(1, "")]);

        var reduce = new NodeProto { OpType = "ReduceMean", Name = "channel_means", Input = { "frames" }, Output = { "means" } };
        reduce.Attribute.Add(new AttributeProto { Name = "axes", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 2, 3 } });
        reduce.Attribute.Add(new AttributeProto { Name = "keepdims", Type = AttributeProto.Types.AttributeType.Int, I = 0 });
        var weigh = new NodeProto { OpType = "MatMul", Name = "redness", Input = { "means", "weights" }, Output = { "score" } };
        var weights = new TensorProto { Name = "weights", DataType = (int)TensorProto.Types.DataType.Float, Dims = { 3, 1 }, FloatData = { 1f, -0.5f, -0.5f } };

        var graph = new GraphProto { Name = "redness", Node = { reduce, weigh }, Initializer = { weights } };
        graph.Input.Add(new ValueInfoProto { Name = "frames", Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1, Shape = shape } } });
        graph.Output.Add(new ValueInfoProto { Name = "score", Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1, Shape = outputShape } } });
        var model = new ModelProto { IrVersion = 7, ProducerName = "Wan.Creative.Tests", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        File.WriteAllBytes(path, model.ToByteArray());
    }
}
