import Testing
@testable import BraidTransformer
