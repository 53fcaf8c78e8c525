// The plan's IR uses the shared vocabulary (templates, patterns, finish policies, votes) of BraidRules; a client
// of BraidPlan (an executor) sees it too, without importing the graph language.
@_exported import BraidRules
