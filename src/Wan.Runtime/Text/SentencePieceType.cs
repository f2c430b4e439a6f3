namespace Wan.Runtime.Text;

/// <summary>The type of a vocabulary entry (sentencepiece.ModelProto.SentencePiece.Type).</summary>
public enum SentencePieceType
{
    Normal = 1,
    Unknown = 2,
    Control = 3,
    UserDefined = 4,
    Unused = 5,
    Byte = 6,
}
