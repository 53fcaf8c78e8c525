/// Namespace marker for the BraidGraph module.
public enum BraidGraphModule {}
