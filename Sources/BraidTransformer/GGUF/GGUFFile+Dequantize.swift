extension GGUFFile {
    /// The whole tensor decoded to Float: `rowCount` rows of `rowLength` values, row after row.
    /// Throws when `tensor` does not belong to this file.
    public func dequantized(_ tensor: GGUFTensorInfo) throws -> [Float] {
        try checkOwned(tensor)
        return [Float](unsafeUninitializedCapacity: tensor.elementCount) { buffer, initialized in
            if let base = buffer.baseAddress, let source = bytes(of: tensor).baseAddress {
                dequantizeRow(tensor.type, from: source, into: base, count: tensor.elementCount)
            } else {
                buffer.initialize(repeating: 0)
            }
            initialized = tensor.elementCount
        }
    }

    /// Decodes the tensor into `destination`, which must hold exactly `tensor.elementCount` floats.
    public func dequantize(_ tensor: GGUFTensorInfo, into destination: UnsafeMutableBufferPointer<Float>) throws {
        try checkOwned(tensor)
        guard destination.count == tensor.elementCount else {
            throw GGUFError.invalidTensor(name: tensor.name, reason: "destination holds \(destination.count) floats, the tensor has \(tensor.elementCount)")
        }
        guard let base = destination.baseAddress, let source = bytes(of: tensor).baseAddress else { return }
        dequantizeRow(tensor.type, from: source, into: base, count: tensor.elementCount)
    }

    /// Decodes row `row` of a tensor (a tensor with dims `[n, ...]` has rows of n elements).
    public func dequantizedRow(_ tensor: GGUFTensorInfo, row: Int) throws -> [Float] {
        try checkOwned(tensor)
        guard row >= 0, row < tensor.rowCount else {
            throw GGUFError.invalidTensor(name: tensor.name, reason: "row \(row) is out of range 0..<\(tensor.rowCount)")
        }
        let source = bytes(of: tensor)
        return [Float](unsafeUninitializedCapacity: tensor.rowLength) { buffer, initialized in
            if let base = buffer.baseAddress, let start = source.baseAddress {
                dequantizeRow(tensor.type, from: start + row * tensor.rowByteCount, into: base, count: tensor.rowLength)
            } else {
                buffer.initialize(repeating: 0)
            }
            initialized = tensor.rowLength
        }
    }

    /// Guards against infos from another file, whose offsets mean nothing here.
    private func checkOwned(_ tensor: GGUFTensorInfo) throws {
        guard self.tensor(named: tensor.name) == tensor else {
            throw GGUFError.invalidTensor(name: tensor.name, reason: "does not belong to this GGUF file")
        }
    }
}
