using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using Wan.Testing;
using Wan.Runtime.Video;

namespace Wan.Runtime.Tests.Video;

public class VideoWriterTests
{
    private string _dir = null!;

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("wan-video-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, true);

    private static VideoFrames RandomVideo(int frames = 5, int height = 16, int width = 32)
    {
        var r = new RandomData();
        var values = r.Normal(3 * frames * height * width, 0.7f);
        return VideoFrames.FromChannelsFirst(values, frames, height, width);
    }

    [Test]
    public void FromChannelsFirstClampsAndRounds()
    {
        float[] v = [-2f, -1f, 0f, 1f, 3f, 0.5f];
        // [3, 1, 1, 2]: pixel 0 = (-2, 0, 3) -> (0, 128, 255); pixel 1 = (-1, 1, 0.5) -> (0, 255, 191)
        var video = VideoFrames.FromChannelsFirst(v, 1, 1, 2);
        Assert.That(video.Rgb, Is.EqualTo(new byte[] { 0, 128, 255, 0, 255, 191 }));
    }

    [Test]
    public void Y4mHasHeaderAndEveryFrame()
    {
        var video = RandomVideo();
        var path = Path.Combine(_dir, "a.y4m");
        VideoOutput.Write(video, path);
        var bytes = File.ReadAllBytes(path);
        var header = System.Text.Encoding.ASCII.GetString(bytes, 0, Array.IndexOf(bytes, (byte)'\n'));
        Assert.That(header, Is.EqualTo("YUV4MPEG2 W32 H16 F16:1 Ip A1:1 C444"));
        Assert.That(bytes, Has.Length.EqualTo(header.Length + 1 + video.Frames * (6 + 3 * 16 * 32)));
        Assert.That(Directory.GetFiles(_dir), Has.Length.EqualTo(1), "no temporary file left behind");
    }

    [Test]
    public void GifLzwRoundTrips()
    {
        var r = new Random(7);
        // Long runs and noise exercise code-size growth and the table reset at 4096 codes.
        var indices = new byte[70_000];
        for (int i = 0; i < indices.Length; i++)
        {
            indices[i] = i % 3000 < 1500 ? (byte)r.Next(256) : (byte)(i / 97 % 5);
        }
        var stream = new MemoryStream();
        GifWriter.LzwEncode(indices, stream, []);
        Assert.That(LzwDecode(stream.ToArray()), Is.EqualTo(indices));
    }

    [Test]
    public void PngFrameDecodesToTheSamePixels()
    {
        var video = RandomVideo(frames: 2, height: 9, width: 7);
        var path = Path.Combine(_dir, "clip.png");
        VideoOutput.Write(video, path);
        var files = Directory.GetFiles(Path.Combine(_dir, "clip")).Order().ToArray();
        Assert.That(files.Select(Path.GetFileName), Is.EqualTo(new[] { "clip_0000.png", "clip_0001.png" }));
        Assert.That(DecodePng(File.ReadAllBytes(files[1]), 7, 9), Is.EqualTo(video.Frame(1).ToArray()));
    }

    [Test]
    public void PngDirectoryWithOtherFilesIsNeverReplaced()
    {
        var dir = Path.Combine(_dir, "clip");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "notes.txt"), "keep me");
        var ex = Assert.Throws<IOException>(() => VideoOutput.Write(RandomVideo(frames: 2, height: 4, width: 4), Path.Combine(_dir, "clip.png")));
        Assert.That(ex!.Message, Does.Contain("holds other files"));
        Assert.That(File.ReadAllText(Path.Combine(dir, "notes.txt")), Is.EqualTo("keep me"));

        File.Delete(Path.Combine(dir, "notes.txt"));
        File.WriteAllText(Path.Combine(dir, "clip_0007.png"), "an earlier run");
        VideoOutput.Write(RandomVideo(frames: 2, height: 4, width: 4), Path.Combine(_dir, "clip.png"));
        Assert.That(Directory.GetFiles(dir).Select(Path.GetFileName).Order(), Is.EqualTo(new[] { "clip_0000.png", "clip_0001.png" }));
    }

    [TestCase(".mp4")]
    [TestCase(".gif")]
    [TestCase(".y4m")]
    public void FfprobeReadsFrameCountAndSize(string extension)
    {
        var ffprobe = FfmpegPipe.Find() is { } ffmpeg ? Path.Combine(Path.GetDirectoryName(ffmpeg)!, "ffprobe") : null;
        if (ffprobe is null || !File.Exists(ffprobe))
        {
            Assert.Ignore("ffmpeg/ffprobe not installed (Debian package 'ffmpeg'): MP4 output and the ffprobe check need it");
        }
        var video = RandomVideo(frames: 9, height: 32, width: 48);
        var path = Path.Combine(_dir, "clip" + extension);
        VideoOutput.Write(video, path);
        var psi = new ProcessStartInfo(ffprobe!, ["-v", "error", "-count_frames", "-select_streams", "v:0",
            "-show_entries", "stream=nb_read_frames,width,height", "-of", "csv=p=0", path])
        { RedirectStandardOutput = true };
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        Assert.That(output, Is.EqualTo("48,32,9"));
    }

    [Test]
    public void UnknownFormatIsRejectedWithThePath()
    {
        var ex = Assert.Throws<Wan.Errors.RequestException>(() => VideoOutput.Write(RandomVideo(), Path.Combine(_dir, "x.avi")));
        Assert.That(ex!.Message, Does.Contain("x.avi").And.Contain(".avi"));
    }

    private static byte[] DecodePng(byte[] png, int width, int height)
    {
        int pos = 8;
        var idat = new MemoryStream();
        while (pos < png.Length)
        {
            int len = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(pos));
            var type = System.Text.Encoding.ASCII.GetString(png, pos + 4, 4);
            if (type == "IHDR")
            {
                Assert.That(BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(pos + 8)), Is.EqualTo(width));
                Assert.That(BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(pos + 12)), Is.EqualTo(height));
            }
            if (type == "IDAT")
            {
                idat.Write(png, pos + 8, len);
            }
            pos += 12 + len;
        }
        idat.Position = 0;
        using var z = new ZLibStream(idat, CompressionMode.Decompress);
        var raw = new MemoryStream();
        z.CopyTo(raw);
        var rows = raw.ToArray();
        var rgb = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
        {
            Assert.That(rows[y * (width * 3 + 1)], Is.Zero, "filter type");
            Array.Copy(rows, y * (width * 3 + 1) + 1, rgb, y * width * 3, width * 3);
        }
        return rgb;
    }

    /// <summary>A plain GIF LZW decoder (min code size 8) over the sub-block stream.</summary>
    private static byte[] LzwDecode(byte[] blocks)
    {
        var data = new List<byte>();
        for (int p = 0; blocks[p] != 0; p += blocks[p] + 1)
        {
            data.AddRange(blocks.AsSpan(p + 1, blocks[p]).ToArray());
        }
        var output = new List<byte>();
        var table = new List<byte[]>();
        int codeSize = 9, bitPos = 0;
        byte[]? previous = null;
        void Reset()
        {
            table.Clear();
            for (int i = 0; i < 258; i++)
            {
                table.Add([(byte)i]);
            }
            codeSize = 9;
            previous = null;
        }
        Reset();
        while (true)
        {
            int code = 0;
            for (int b = 0; b < codeSize; b++, bitPos++)
            {
                code |= ((data[bitPos >> 3] >> (bitPos & 7)) & 1) << b;
            }
            if (code == 256)
            {
                Reset();
                continue;
            }
            if (code == 257)
            {
                return [.. output];
            }
            byte[] entry = code < table.Count ? table[code] : [.. previous!, previous![0]];
            output.AddRange(entry);
            if (previous is not null && table.Count < 4096)
            {
                table.Add([.. previous, entry[0]]);
                if (table.Count == 1 << codeSize && codeSize < 12)
                {
                    codeSize++;
                }
            }
            previous = entry;
        }
    }
}
