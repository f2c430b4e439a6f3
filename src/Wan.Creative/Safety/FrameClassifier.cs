using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Wan.Runtime.Video;

namespace Wan.Creative.Safety;

/// <summary>
/// The optional frame classifier: a user-supplied ONNX image classifier (Microsoft.ML.OnnxRuntime, CPU execution)
/// scores sampled frames of a generated video before it is returned. The model's first input is float32
/// <c>[N, 3, H, W]</c> RGB in [0, 1] (H and W fixed: frames are resized bilinearly; dynamic: frames go in at their
/// size; N fixed to 1: one frame per run); its first output is <c>[N]</c>, <c>[N, 1]</c> or <c>[N, C]</c> scores
/// (<see cref="FrameClassifierOptions.ScoreIndex"/> picks the column). Not thread-safe per instance.
/// </summary>
public sealed class FrameClassifier : IDisposable
{
    private readonly InferenceSession _session;
    private readonly string _input;
    private readonly int[] _inputShape;

    private FrameClassifier(string modelPath, InferenceSession session, FrameClassifierOptions options)
    {
        ModelPath = modelPath;
        _session = session;
        Options = options;
        var (name, meta) = session.InputMetadata.First();
        _input = name;
        _inputShape = meta.Dimensions;
        if (meta.ElementDataType != TensorElementType.Float || _inputShape.Length != 4 || _inputShape[1] != 3)
        {
            session.Dispose();
            throw new InvalidDataException($"{modelPath}: the classifier's input '{name}' must be float32 [N, 3, H, W], " +
                                           $"it is {meta.ElementDataType} [{string.Join(", ", _inputShape)}]");
        }
    }

    /// <summary>The ONNX model file.</summary>
    public string ModelPath { get; }

    /// <summary>Threshold, sampling and score column.</summary>
    public FrameClassifierOptions Options { get; }

    /// <summary>Loads the classifier in <paramref name="modelPath"/>.</summary>
    /// <exception cref="FileNotFoundException">The model file does not exist.</exception>
    /// <exception cref="Wan.Errors.RequestException">The options are impossible (threshold not finite, fewer than 1 sampled frame, negative column).</exception>
    /// <exception cref="InvalidDataException">The file is not an ONNX model ONNX Runtime can run, or its input is not [N, 3, H, W] float32.</exception>
    /// <exception cref="DllNotFoundException">ONNX Runtime's native library (shipped in the Microsoft.ML.OnnxRuntime package) cannot be loaded.</exception>
    public static FrameClassifier Open(string modelPath, FrameClassifierOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(modelPath);
        options ??= new FrameClassifierOptions();
        if (!double.IsFinite(options.Threshold))
        {
            throw new Wan.Errors.RequestException("safety-threshold", options.Threshold, "must be a finite number");
        }
        if (options.SampledFrames < 1)
        {
            throw new Wan.Errors.RequestException("safety-frames", options.SampledFrames, "the classifier must sample at least one frame");
        }
        if (options.ScoreIndex < 0)
        {
            throw new Wan.Errors.RequestException("safety-score-index", options.ScoreIndex, "must not be negative");
        }
        if (!File.Exists(modelPath))
        {
            throw new FileNotFoundException($"{modelPath}: safety classifier model not found", modelPath);
        }
        InferenceSession session;
        try
        {
            session = new InferenceSession(modelPath);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidDataException($"{modelPath}: not an ONNX model ONNX Runtime can run ({FirstLine(e.Message)})");
        }
        catch (Exception e) when (NativeLoadFailure(e) is { } missing)
        {
            throw new DllNotFoundException($"{modelPath}: ONNX Runtime's native library (libonnxruntime.so from the Microsoft.ML.OnnxRuntime package) could not be loaded ({FirstLine(missing.Message)})");
        }
        return new FrameClassifier(Path.GetFullPath(modelPath), session, options);
    }

    /// <summary>The frames scored for a video of <paramref name="frames"/> frames: <see cref="FrameClassifierOptions.SampledFrames"/> evenly spread, first and last included.</summary>
    public IReadOnlyList<int> SampleFrames(int frames)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(frames, 1);
        var count = Math.Min(frames, Options.SampledFrames);
        return count == 1 ? [0] : [.. Enumerable.Range(0, count).Select(i => (int)Math.Round(i * (frames - 1) / (double)(count - 1))).Distinct()];
    }

    /// <summary>The score of every sampled frame of <paramref name="video"/>.</summary>
    /// <exception cref="InvalidDataException">The model's output is not [N], [N, 1] or [N, C] with the score column, or a score is not finite.</exception>
    public IReadOnlyList<FrameScore> Score(VideoFrames video)
    {
        ArgumentNullException.ThrowIfNull(video);
        var frames = SampleFrames(video.Frames);
        return Score(video, frames, frames);
    }

    /// <summary>
    /// The scores of frames kept apart from their video while it streamed: frame n of <paramref name="sampled"/> is frame
    /// <paramref name="frames"/>[n] of the video (<see cref="SampleFrames"/> of its length), the index the scores carry.
    /// </summary>
    /// <exception cref="ArgumentException">the counts differ.</exception>
    /// <exception cref="InvalidDataException">The model's output is unusable (see <see cref="Score(VideoFrames)"/>).</exception>
    public IReadOnlyList<FrameScore> ScoreSampled(VideoFrames sampled, IReadOnlyList<int> frames)
    {
        ArgumentNullException.ThrowIfNull(sampled);
        ArgumentNullException.ThrowIfNull(frames);
        if (sampled.Frames != frames.Count)
        {
            throw new ArgumentException($"{sampled.Frames} sampled frames for {frames.Count} frame indices", nameof(frames));
        }
        return Score(sampled, [.. Enumerable.Range(0, frames.Count)], frames);
    }

    /// <summary>Scores frames <paramref name="positions"/> of <paramref name="video"/>, reported as <paramref name="frames"/>.</summary>
    private List<FrameScore> Score(VideoFrames video, IReadOnlyList<int> positions, IReadOnlyList<int> frames)
    {
        int height = _inputShape[2] > 0 ? _inputShape[2] : video.Height;
        int width = _inputShape[3] > 0 ? _inputShape[3] : video.Width;
        int batch = _inputShape[0] > 0 ? _inputShape[0] : frames.Count;
        if (batch != 1 && batch != frames.Count)
        {
            throw new InvalidDataException($"{ModelPath}: the classifier's batch size is fixed to {batch}; use a model with batch 1 or a dynamic batch");
        }
        var scores = new List<FrameScore>(frames.Count);
        for (int start = 0; start < frames.Count; start += batch)
        {
            int count = Math.Min(batch, frames.Count - start);
            var input = new DenseTensor<float>([count, 3, height, width]);
            for (int n = 0; n < count; n++)
            {
                Resample(video, positions[start + n], input, n, height, width);
            }
            using var results = _session.Run([NamedOnnxValue.CreateFromTensor(_input, input)]);
            var output = results[0].AsTensor<float>();
            for (int n = 0; n < count; n++)
            {
                scores.Add(new FrameScore(frames[start + n], Read(output, n)));
            }
        }
        return scores;
    }

    /// <summary>Refuses <paramref name="video"/> when a sampled frame scores above the threshold.</summary>
    /// <exception cref="ContentRefusedException">One does (the message names the frame, its score, the threshold and the model).</exception>
    /// <exception cref="InvalidDataException">The model's output is unusable (see <see cref="Score(VideoFrames)"/>).</exception>
    public void Enforce(VideoFrames video) => Enforce(Score(video));

    /// <summary>Refuses a streamed video when one of its sampled frames (see <see cref="ScoreSampled"/>) scores above the threshold.</summary>
    /// <exception cref="ContentRefusedException">One does (the message names the frame, its score, the threshold and the model).</exception>
    /// <exception cref="InvalidDataException">The model's output is unusable (see <see cref="Score(VideoFrames)"/>).</exception>
    public void EnforceSampled(VideoFrames sampled, IReadOnlyList<int> frames) => Enforce(ScoreSampled(sampled, frames));

    private void Enforce(IReadOnlyList<FrameScore> scores)
    {
        foreach (var s in scores)
        {
            if (s.Score > Options.Threshold)
            {
                throw new ContentRefusedException(
                    $"video refused by the safety classifier: frame {s.Frame} scored {s.Score:0.####} > threshold {Options.Threshold} ({Path.GetFileName(ModelPath)}); no video was written",
                    s.Frame, s.Score);
            }
        }
    }

    private double Read(Tensor<float> output, int n)
    {
        var dims = output.Dimensions;
        float value = dims.Length switch
        {
            1 => output[n],
            2 when dims[1] == 1 => output[n, 0],
            2 when Options.ScoreIndex < dims[1] => output[n, Options.ScoreIndex],
            _ => throw new InvalidDataException(
                $"{ModelPath}: the classifier's output [{string.Join(", ", dims.ToArray())}] has no score column {Options.ScoreIndex} (expected [N], [N, 1] or [N, C])"),
        };
        return float.IsFinite(value) ? value : throw new InvalidDataException($"{ModelPath}: the classifier gave a non-finite score ({value}) for a frame");
    }

    /// <summary>Frame <paramref name="frame"/> into batch row <paramref name="n"/> of <paramref name="input"/> as [3, H, W] in [0, 1], bilinear (pixel centres aligned).</summary>
    private static void Resample(VideoFrames video, int frame, DenseTensor<float> input, int n, int height, int width)
    {
        var rgb = video.Frame(frame);
        double sy = video.Height / (double)height, sx = video.Width / (double)width;
        for (int y = 0; y < height; y++)
        {
            double fy = Math.Clamp((y + 0.5) * sy - 0.5, 0, video.Height - 1);
            int y0 = (int)fy, y1 = Math.Min(y0 + 1, video.Height - 1);
            double wy = fy - y0;
            for (int x = 0; x < width; x++)
            {
                double fx = Math.Clamp((x + 0.5) * sx - 0.5, 0, video.Width - 1);
                int x0 = (int)fx, x1 = Math.Min(x0 + 1, video.Width - 1);
                double wx = fx - x0;
                for (int c = 0; c < 3; c++)
                {
                    double top = rgb[(y0 * video.Width + x0) * 3 + c] * (1 - wx) + rgb[(y0 * video.Width + x1) * 3 + c] * wx;
                    double bottom = rgb[(y1 * video.Width + x0) * 3 + c] * (1 - wx) + rgb[(y1 * video.Width + x1) * 3 + c] * wx;
                    input[n, c, y, x] = (float)((top * (1 - wy) + bottom * wy) / 255.0);
                }
            }
        }
    }

    /// <summary>The missing native library behind <paramref name="e"/> (thrown directly, or from ONNX Runtime's static initialiser), or null.</summary>
    private static DllNotFoundException? NativeLoadFailure(Exception e) => e switch
    {
        DllNotFoundException missing => missing,
        TypeInitializationException { InnerException: DllNotFoundException missing } => missing,
        _ => null,
    };

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();

    /// <summary>Releases the ONNX Runtime session.</summary>
    public void Dispose() => _session.Dispose();
}
