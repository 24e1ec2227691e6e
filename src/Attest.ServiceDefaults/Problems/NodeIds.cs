using System.Text.RegularExpressions;

namespace Attest.ServiceDefaults.Problems;

/// <summary>Node ids are the provisioning system's (Ironic node UUIDs, names): bounded, printable, path-safe.</summary>
public static partial class NodeIds
{
    public static string Validate(string? nodeId)
    {
        if (nodeId is null || !Pattern().IsMatch(nodeId))
        {
            throw ApiProblemException.BadRequest("request.node_id_invalid",
                "nodeId must be 1-128 characters of letters, digits, '.', '_', ':' or '-'");
        }

        return nodeId;
    }

    [GeneratedRegex("^[A-Za-z0-9._:-]{1,128}$")]
    private static partial Regex Pattern();
}
