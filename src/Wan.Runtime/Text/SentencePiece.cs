namespace Wan.Runtime.Text;

/// <summary>One vocabulary entry: its surface (with U+2581 for spaces), log-probability score and type.</summary>
public readonly record struct SentencePiece(string Piece, float Score, SentencePieceType Type);
