import Testing
@testable import BraidCountdown
