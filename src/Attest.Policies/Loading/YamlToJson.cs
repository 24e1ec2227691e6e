using System.Globalization;
using System.Text.Json.Nodes;
using Attest.Policies.Documents;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Attest.Policies.Loading;

/// <summary>
/// Reads YAML (and therefore JSON, which YAML 1.2 contains) into a JSON tree, recording where every node starts so
/// that schema and rule errors can name a line. Plain scalars get JSON types (numbers, booleans, null) as YAML 1.2's
/// core schema gives them; quoted scalars stay strings.
/// </summary>
internal static class YamlToJson
{
    /// <summary>Deeper documents are refused before parsing: the YAML reader and this converter recurse per level.</summary>
    public const int MaxDepth = 64;

    public static (JsonNode? Root, SourceMap Map) Convert(string text)
    {
        CheckDepth(text);
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        var map = new SourceMap();
        if (stream.Documents.Count == 0)
        {
            return (null, map);
        }

        if (stream.Documents.Count > 1)
        {
            var second = stream.Documents[1].RootNode.Start;
            throw new YamlException(second, second, "a policy file holds one document; found a second '---'");
        }

        return (Node(stream.Documents[0].RootNode, "", map), map);
    }

    private static JsonNode? Node(YamlNode node, string pointer, SourceMap map)
    {
        map.Add(pointer, (int)node.Start.Line, (int)node.Start.Column);
        switch (node)
        {
            case YamlMappingNode mapping:
                var obj = new JsonObject();
                foreach (var (key, value) in mapping.Children)
                {
                    if (key is not YamlScalarNode { Value: { } name })
                    {
                        throw new YamlException(key.Start, key.End, "mapping keys must be plain strings");
                    }

                    var child = pointer + "/" + SourceMap.Escape(name);
                    if (obj.ContainsKey(name))
                    {
                        throw new YamlException(key.Start, key.End, $"duplicate key '{name}'");
                    }

                    map.Add(child, (int)key.Start.Line, (int)key.Start.Column);
                    obj[name] = Node(value, child, map);
                }

                return obj;
            case YamlSequenceNode sequence:
                var array = new JsonArray();
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    array.Add(Node(sequence.Children[i], pointer + "/" + i.ToString(CultureInfo.InvariantCulture), map));
                }

                return array;
            case YamlScalarNode scalar:
                return Scalar(scalar);
            default:
                throw new YamlException(node.Start, node.End, "aliases and anchors are not supported in policies");
        }
    }

    /// <summary>
    /// A hostile upload such as 100,000 nested '[' would overflow the stack of a recursive reader and end the process
    /// (not an exception a service can catch). Flow nesting is counted outside quotes; block nesting needs indentation.
    /// </summary>
    private static void CheckDepth(string text)
    {
        var depth = 0;
        var line = 1;
        var column = 0;
        var indent = 0;
        var atLineStart = true;
        char quote = '\0';
        foreach (var c in text)
        {
            column++;
            if (c == '\n')
            {
                line++;
                column = 0;
                indent = 0;
                atLineStart = true;
                continue;
            }

            if (atLineStart && c == ' ')
            {
                if (++indent > MaxDepth * 4)
                {
                    throw Deep(line, column);
                }

                continue;
            }

            atLineStart = false;
            if (quote != '\0')
            {
                quote = c == quote ? '\0' : quote;
            }
            else if (c is '"' or '\'')
            {
                quote = c;
            }
            else if (c is '[' or '{' && ++depth > MaxDepth)
            {
                throw Deep(line, column);
            }
            else if (c is ']' or '}')
            {
                depth--;
            }
        }
    }

    private static YamlException Deep(int line, int column)
    {
        var mark = new Mark(line, line, column);
        return new YamlException(mark, mark, $"the document nests deeper than {MaxDepth} levels");
    }

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? "";
        if (scalar.Style is not (ScalarStyle.Plain or ScalarStyle.Any))
        {
            return JsonValue.Create(value);
        }

        switch (value)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE":
                return JsonValue.Create(false);
        }

        // Long digit runs are digests or ids, never quantities: keep them as written.
        if (value.Length > 18)
        {
            return JsonValue.Create(value);
        }

        if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return JsonValue.Create(integer);
        }

        // Only plain decimal numbers: a 40-hex digest such as "1e10…" must not become a float.
        if (value.All(c => char.IsAsciiDigit(c) || c is '.' or '-') && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return JsonValue.Create(number);
        }

        return JsonValue.Create(value);
    }
}
