using System.Management.Automation;
using System.Text;
using ZscalerPki.Core;
using ZscalerPki.Core.Certificates;

namespace ZscalerPki.Infrastructure;

/// <summary>
/// The one base of Export-EnrollmentCertificate, Export-IntermediateCertificate and Export-InspectionCertificate: the same
/// parameters with the same meaning everywhere. Without -Path/-LiteralPath the PEM text goes to the pipeline; with one, the
/// file is written whole (temp + rename) when the input ends, an existing file only with -Force, and -PassThru returns it
/// as Get-Item does. Several piped items go into the one PEM file, leaf-and-chain after leaf-and-chain (as openssl and
/// Export-Csv do); DER and PFX hold one item per file, so a second item is an ExportOneItemPerFile error.
/// </summary>
public abstract class ExportCmdlet : ZscalerPkiCmdlet
{
    protected const string ToTextSet = "ToText";
    protected const string PathSet = "Path";
    protected const string LiteralPathSet = "LiteralPath";

    private readonly List<byte[]> _parts = new();
    private string? _target;
    private bool _secret;

    /// <summary>The file to write (wildcards are not expanded in an output path); without it PEM text is written to the pipeline.</summary>
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = PathSet)]
    public string Path { get; set; } = string.Empty;

    /// <summary>The file to write, taken literally.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP")]
    public string LiteralPath { get; set; } = string.Empty;

    /// <summary>Pem (default; text, also to the pipeline), Der (one certificate, never a chain) or Pfx (PKCS#12, needs -Password).</summary>
    [Parameter]
    public ExportFormat Format { get; set; } = ExportFormat.Pem;

    /// <summary>Write the certificate alone. By default PEM and PFX exports carry the chain, leaf first and root last, as Zscaler's upload and TLS servers expect; DER always holds one certificate.</summary>
    [Parameter]
    public SwitchParameter ExcludeChain { get; set; }

    /// <summary>Replace an existing file.</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    public SwitchParameter Force { get; set; }

    /// <summary>Return the written file (as Get-Item does).</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Whether the chain goes in: not with -ExcludeChain, never in DER.</summary>
    protected bool ChainIncluded => !ExcludeChain.IsPresent && Format != ExportFormat.Der;

    /// <summary>What is exported, for -WhatIf and errors (e.g. "'Contoso-Root'").</summary>
    protected abstract string ItemLabel { get; }

    /// <summary>True when the export holds a private key (the file is then created owner-only).</summary>
    protected virtual bool IncludesPrivateKey => false;

    /// <summary>The bytes of the current item in <see cref="Format"/>.</summary>
    protected abstract byte[] ExportItem();

    /// <summary>Checks before anything is written (e.g. a password the format needs); default none.</summary>
    protected virtual void Validate()
    {
    }

    protected sealed override void Process()
    {
        if (ParameterSetName == ToTextSet)
        {
            if (Format != ExportFormat.Pem)
                throw new PkiException(PkiErrorIds.PathRequired, PkiErrorCategory.InvalidArgument,
                    $"-Format {Format} is binary: pass -Path to write it to a file (only PEM is written to the pipeline).", ItemLabel);
            Validate();
            WriteResult(Encoding.ASCII.GetString(ExportItem()));
            return;
        }
        var target = ResolveOutputPath(ParameterSetName == LiteralPathSet ? LiteralPath : Path);
        if (_target is null)
        {
            // Refused before any work: the file is there and -Force was not given.
            if (File.Exists(target) && !Force.IsPresent)
                throw new PkiException(PkiErrorIds.FileExists, PkiErrorCategory.ResourceExists,
                    $"The file '{target}' already exists. Pass -Force to replace it, or choose another path.", target);
        }
        else if (Format != ExportFormat.Pem)
        {
            throw new PkiException(PkiErrorIds.ExportOneItemPerFile, PkiErrorCategory.InvalidArgument,
                $"-Format {Format} holds one item per file, and {ItemLabel} is the second item for '{target}'. Export each item to its own -Path (e.g. ForEach-Object {{ ... -Path \"$($_.Name).{Format.ToString().ToLowerInvariant()}\" }}), or use -Format Pem to write them all into one file.", ItemLabel);
        }
        Validate();
        var action = $"Export {ItemLabel} as {Format}{(ChainIncluded ? " with chain" : string.Empty)}{(IncludesPrivateKey ? " with private key" : string.Empty)}";
        if (!Confirm(target, action))
            return;
        var content = ExportItem();
        _target = target;
        _secret |= IncludesPrivateKey || Format == ExportFormat.Pfx;
        _parts.Add(content);
    }

    protected sealed override void End()
    {
        if (_target is null || _parts.Count == 0)
            return;
        var all = _parts.Count == 1 ? _parts[0] : _parts.SelectMany(p => p).ToArray();
        WriteFile(_target, all, Force.IsPresent, _secret);
        if (_parts.Count > 1)
            Verbose($"Wrote {_parts.Count} items to '{_target}'.");
        if (PassThru.IsPresent)
            WriteFileItem(_target);
    }
}
