/// Namespace marker for the BraidRuntime module.
public enum BraidRuntimeModule {}
