// The graph's model uses the shared vocabulary (templates, patterns, finish policies, votes) of BraidRules; a
// client of BraidGraph sees it too.
@_exported import BraidRules
