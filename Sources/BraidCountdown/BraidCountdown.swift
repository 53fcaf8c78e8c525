/// Namespace marker for the BraidCountdown module.
public enum BraidCountdownModule {}
