using Attest.Tpm.Tests.TestData;

namespace Attest.Tpm.Tests.EventLog;

/// <summary>The real logs in shared/testdata/eventlogs (from tpm2-tools' fixtures), as theory data.</summary>
public static class RealLogs
{
    public static IEnumerable<string> Names =>
        SharedTestData.Root is null
            ? []
            : Directory.GetFiles(SharedTestData.Path("eventlogs"), "*.bin").Select(Path.GetFileName).Order(StringComparer.Ordinal)!;

    public static TheoryData<string> All
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var name in Names)
            {
                data.Add(name);
            }

            return data;
        }
    }

    public static byte[] Read(string name) => File.ReadAllBytes(SharedTestData.Path("eventlogs", name));

    internal static Tpm2EventLogYaml Yaml(string name) => Tpm2EventLogYaml.Load(SharedTestData.Path("eventlogs", name + ".tpm2_eventlog.yaml"));
}
