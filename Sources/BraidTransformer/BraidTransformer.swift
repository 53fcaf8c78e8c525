/// Namespace marker for the BraidTransformer module.
public enum BraidTransformerModule {}
