import Testing
@testable import BraidPlan
