#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# The module as a user first meets it: what Import-Module exports, Get-Help for every cmdlet, the about topic, the
# format views and -WhatIf/-Confirm on every command that writes.

BeforeAll {
    . (Join-Path $PSScriptRoot 'PesterHelpers.ps1')
    $script:manifest = Import-PowerShellDataFile (Join-Path $PSScriptRoot '..' 'ZscalerPki.psd1')
    $script:commands = Get-Command -Module ZscalerPki
}

Describe 'ZscalerPki module' {
    It 'exports exactly the cmdlets the manifest lists, all binary cmdlets with approved verbs' {
        ($commands.Name | Sort-Object) | Should -Be ($manifest.CmdletsToExport | Sort-Object)
        $commands.CommandType | Sort-Object -Unique | Should -Be 'Cmdlet'
        $approved = (Get-Verb).Verb
        foreach ($c in $commands) { $approved | Should -Contain $c.Verb -Because "$($c.Name) uses an approved verb" }
    }

    It 'has help for <_> with a synopsis, every parameter described and at least two examples' -ForEach @(
        (Import-PowerShellDataFile (Join-Path $PSScriptRoot '..' 'ZscalerPki.psd1')).CmdletsToExport
    ) {
        $help = Get-Help $_ -Full
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -Match "^\s*$_\s*\["
        @($help.Examples.Example).Count | Should -BeGreaterOrEqual 2
        $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
        foreach ($p in (Get-Command $_).Parameters.Keys | Where-Object { $_ -notin $common }) {
            $described = $help.Parameters.Parameter | Where-Object Name -eq $p
            ($described.Description | Out-String).Trim() | Should -Not -BeNullOrEmpty -Because "-$p of $_ is described"
        }
    }

    It 'has one version, from Directory.Build.props, in the manifest and the assemblies' {
        $props = [xml](Get-Content -Raw (Join-Path $PSScriptRoot '..' 'Directory.Build.props'))
        $expected = [version]($props.Project.PropertyGroup.Version | Where-Object { $_ } | Select-Object -First 1)
        (Get-Module ZscalerPki).Version | Should -Be $expected
        $assembly = [ZscalerPki.Core.PkiErrorIds].Assembly.GetName().Version
        "$($assembly.Major).$($assembly.Minor).$($assembly.Build)" | Should -Be "$expected"
    }

    It 'has the about_ZscalerPki topic, listing the ErrorIds' {
        $about = Get-Help about_ZscalerPki | Out-String
        $about | Should -Match 'ERROR IDS'
        $about | Should -Match 'WrongKeyPassword'
    }

    It 'explains in about_ZscalerPki the concepts a new user meets, without issue numbers' {
        $about = Get-Help about_ZscalerPki | Out-String
        foreach ($heading in 'THE VAULT', 'CA IDENTITIES', 'PASSWORDS', 'HSM-PROTECTED KEYS', 'REVOCATION AND CRLS', 'SSL INSPECTION', 'ERROR IDS', 'GETTING HELP') {
            $about | Should -Match "(?m)^\s*$heading" -Because "about_ZscalerPki has a section $heading"
        }
        $about | Should -Match 'intermediate/Inspection-2026'
        $about | Should -Not -Match '(?i)\(issue \d+\)|issue #?\d+'
        foreach ($name in $manifest.CmdletsToExport) {
            $noun = $name.Split('-')[1]
            $about | Should -Match ([regex]::Escape($noun)) -Because "about_ZscalerPki names $name's task"
        }
    }

    It 'supports -WhatIf and -Confirm on every cmdlet that writes' {
        foreach ($c in $commands | Where-Object Verb -in 'New', 'Set', 'Remove', 'Export', 'Import', 'Submit') {
            $c.Parameters.Keys | Should -Contain 'WhatIf' -Because "$($c.Name) writes"
            $c.Parameters.Keys | Should -Contain 'Confirm' -Because "$($c.Name) writes"
        }
    }

    It 'declares output types that have a default view' {
        $views = (Get-FormatData -TypeName 'ZscalerPki.*').TypeNames
        foreach ($c in $commands) {
            foreach ($t in $c.OutputType.Type | Where-Object { $_.Namespace -like 'ZscalerPki*' }) {
                $views | Should -Contain $t.FullName -Because "$($c.Name) returns $($t.Name)"
            }
        }
    }
}
