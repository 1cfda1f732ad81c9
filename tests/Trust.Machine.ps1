# Run by tests/Trust.Tests.ps1 inside a private mount namespace (unshare -m) whose /etc/ssl/certs and
# /usr/local/share/ca-certificates are temp copies and /var/lib a temp folder: installs a root into the machine's stores
# (-Scope LocalMachine), runs the OS clients before, after the install and after the uninstall, and writes what it saw as JSON.
param([Parameter(Mandatory)] [string] $Module, [Parameter(Mandatory)] [string] $Vault, [Parameter(Mandatory)] [string] $Out, [Parameter(Mandatory)] [string] $Work)
$ErrorActionPreference = 'Stop'
Import-Module $Module
$pw = ConvertTo-SecureString 'Pester-Trust-1!' -AsPlainText -Force
$env:HOME = Join-Path $Work 'machine-home'
New-Item -ItemType Directory -Force -Path $env:HOME | Out-Null
$folders = '/etc/ssl/certs', '/usr/local/share/ca-certificates'
function Get-Tree { foreach ($f in $folders) { Get-ChildItem -LiteralPath $f -Recurse -Force | ForEach-Object { '{0} {1}' -f $_.FullName, $(if ($_.LinkTarget) { '-> ' + $_.LinkTarget } elseif ($_.PSIsContainer) { 'dir' } else { (Get-FileHash -LiteralPath $_.FullName).Hash }) } } }
function Invoke-Clients { Test-RootCertificateTrust -Issuer 'Trust-Issuing' -IssuerKeyPassword $pw -VaultPath $Vault -Client curl, wget, openssl, python-ssl, java | Select-Object Client, Trusted, Error }
$root = (Get-EnrollmentCertificate -Name 'Trust-Root' -VaultPath $Vault).Certificate
$tree = Get-Tree
$before = Invoke-Clients
$installed = Install-RootCertificate -Certificate $root -Store OS, Java -Scope LocalMachine -PassThru
$has = (Get-Content -Raw /etc/ssl/certs/ca-certificates.crt).Replace("`n", '') -match [regex]::Escape([Convert]::ToBase64String($root.RawData).Substring(0, 64))
$after = Invoke-Clients
Uninstall-RootCertificate -Scope LocalMachine
$gone = Invoke-Clients
$now = Get-Tree
$changed = Compare-Object $tree $now | ForEach-Object { "$($_.SideIndicator) $($_.InputObject)" }
[pscustomobject]@{
    Before = $before; After = $after; Gone = $gone; Installed = @($installed.Store); BundleHadRootAfterInstall = $has; Changed = @($changed)
} | ConvertTo-Json -Depth 4 | Set-Content -LiteralPath $Out
