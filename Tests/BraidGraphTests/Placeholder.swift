import Testing
@testable import BraidGraph
