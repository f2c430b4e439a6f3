namespace Wan.Runtime.Text;

/// <summary>The type of a vocabulary entry (sentencepiece.ModelProto.SentencePiece.Type).</summary>
public enum SentencePieceType
{
    /// <summary>An ordinary piece, scored by the unigram model.</summary>
    Normal = 1,
    /// <summary>The single piece that stands for text no other piece covers (&lt;unk&gt;).</summary>
    Unknown = 2,
    /// <summary>A control symbol (&lt;pad&gt;, &lt;/s&gt;): never produced by segmentation.</summary>
    Control = 3,
    /// <summary>A user-defined symbol, always matched as one piece.</summary>
    UserDefined = 4,
    /// <summary>A piece kept in the vocabulary but never produced.</summary>
    Unused = 5,
    /// <summary>One raw byte (&lt;0xNN&gt;), used when byte fallback is on.</summary>
    Byte = 6,
}
