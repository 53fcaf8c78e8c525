extension Plan {
    /// The branch segments of `fork` when its branches are identical siblings — what a serving engine can decode as
    /// one request with `n` completions — else nil.
    ///
    /// Identical means the requests would differ in nothing but their draw: each branch's program is one decoded
    /// segment (no later steps, no spawn); the segments read the same context (their views without themselves),
    /// sit at the same kind of position with the same thought index, and share their decoding (budget, forced
    /// prefix, stop strings, temperature, top-p) — where the prefix and stop templates don't name the branch
    /// (`{i}`, `{i0}`) — and none has a seed of its own (sibling i then draws with the request's seed + i, as vLLM
    /// and llama-server number the choices of one request).
    public func identicalSiblings(_ fork: ForkPlan) -> [Segment]? {
        guard fork.branches.count > 1 else { return nil }
        var segments: [Segment] = []
        var decodings: [Decoding] = []
        for branch in fork.branches {
            let program = program(of: branch)
            guard program.count == 1, case .write(let name) = program[0], let segment = segment(name),
                  case .generate(let decoding) = segment.content, decoding.sampling.seed == nil else { return nil }
            segments.append(segment)
            decodings.append(decoding)
        }
        let first = segments[0]
        let branchVariables: Set<String> = ["i", "i0"]
        let templates = (decodings[0].prefix.map { [$0] } ?? []) + decodings[0].stop
        guard templates.allSatisfy({ branchVariables.isDisjoint(with: $0.variables) }),
              first.placement.rule != .flat,
              decodings.allSatisfy({ $0 == decodings[0] }),
              segments.allSatisfy({ $0.view.dropLast() == first.view.dropLast() && $0.thought == first.thought
                                    && $0.placement.rule == first.placement.rule }) else { return nil }
        return segments
    }
}
