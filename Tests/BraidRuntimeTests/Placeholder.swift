import Testing
@testable import BraidRuntime
