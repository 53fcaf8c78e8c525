/// Namespace marker for the BraidPlan module.
public enum BraidPlanModule {}
