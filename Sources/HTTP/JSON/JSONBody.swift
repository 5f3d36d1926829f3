/// The fields of a JSON request body, each problem answered as the contract says: 400 with
/// `5006` for a body that is not a JSON object or a field of the wrong type, `4003` for a
/// required field that is missing (or null).
public enum JSONBody {
    public static func object(_ body: [UInt8]) throws -> [String: JSONValue] {
        let document: JSONValue
        do {
            document = try JSONParser.parse(body)
        } catch {
            throw HTTPError(.badRequest, code: .parameter, "请求体不是有效的JSON")
        }
        guard case .object(let fields) = document else {
            throw HTTPError(.badRequest, code: .parameter, "请求体须为JSON对象")
        }
        return fields
    }

    public static func string(_ name: String, in fields: [String: JSONValue]) throws -> String {
        guard let value = try optionalString(name, in: fields) else {
            throw HTTPError(.badRequest, code: .necessaryParameter, "缺少必传参数\(name)")
        }
        return value
    }

    /// nil when the field is absent or null.
    public static func optionalString(_ name: String, in fields: [String: JSONValue]) throws -> String? {
        guard let value = fields[name], value != .null else { return nil }
        guard let text = value.string else {
            throw HTTPError(.badRequest, code: .parameter, "参数\(name)须为字符串")
        }
        return text
    }
}
