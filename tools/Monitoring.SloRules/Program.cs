using Monitoring.SloRules;

// Writes prometheus/slo-rules.yml from prometheus/slos.yml (paths relative to the repository, found from the current
// directory): dotnet run --project tools/Monitoring.SloRules [-- --check] [spec] [output]
// With --check it writes nothing and exits 1 when the output is not what the specification generates.
var check = args.Contains("--check", StringComparer.Ordinal);
var paths = args.Where(argument => argument != "--check").ToArray();
if (paths.Length > 2 || paths.Any(path => path.StartsWith('-')))
{
    Console.Error.WriteLine("usage: Monitoring.SloRules [--check] [slos.yml [slo-rules.yml]]");
    return 2;
}

var root = RepositoryRoot(Directory.GetCurrentDirectory()) ?? RepositoryRoot(AppContext.BaseDirectory);
string Resolve(int index, string name) =>
    paths.Length > index ? Path.GetFullPath(paths[index])
    : root is not null ? Path.Combine(root, "prometheus", name)
    : throw new InvalidOperationException($"Monitoring.sln not found above the current directory: give the path of {name}");

var specificationPath = Resolve(0, "slos.yml");
var outputPath = Resolve(1, "slo-rules.yml");
string rules;
try
{
    rules = SloRuleWriter.Write(SloSpecification.Parse(File.ReadAllText(specificationPath)));
}
catch (SloSpecificationException exception)
{
    Console.Error.WriteLine($"{specificationPath}: {exception.Message}");
    return 2;
}

if (check)
{
    var current = File.Exists(outputPath) ? File.ReadAllText(outputPath).ReplaceLineEndings("\n") : null;
    if (current == rules)
    {
        Console.WriteLine($"{outputPath} is up to date");
        return 0;
    }
    Console.Error.WriteLine($"{outputPath} is not what {specificationPath} generates: run dotnet run --project tools/Monitoring.SloRules");
    return 1;
}

File.WriteAllText(outputPath, rules);
Console.WriteLine($"wrote {outputPath}");
return 0;

static string? RepositoryRoot(string start)
{
    for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
    {
        if (File.Exists(Path.Combine(directory.FullName, "Monitoring.sln")))
        {
            return directory.FullName;
        }
    }
    return null;
}
