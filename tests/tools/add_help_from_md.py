#!/usr/bin/env python3
"""Adds (or replaces) the MAML entries of cmdlets in en-US/ZscalerPki.dll-Help.xml from docs/help/<Verb-Noun>.md.

Until build.ps1 generates the whole MAML from docs/help (issue 20), new cmdlets' help is written as markdown in the
docs/help format and merged here. Syntax comes from the built module (out/ZscalerPki), words from the markdown.
Usage: python3 tests/tools/add_help_from_md.py Install-RootCertificate [...]   (after dotnet pwsh ./build.ps1)
"""
import json, os, re, subprocess, sys
from xml.sax.saxutils import escape

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
help_xml = os.path.join(root, 'en-US', 'ZscalerPki.dll-Help.xml')
COMMON = {'Verbose', 'Debug', 'ErrorAction', 'WarningAction', 'InformationAction', 'ProgressAction', 'ErrorVariable', 'WarningVariable',
          'InformationVariable', 'OutVariable', 'OutBuffer', 'PipelineVariable', 'WhatIf', 'Confirm'}


def meta(names):
    script = r'''
Import-Module ./out/ZscalerPki/ZscalerPki.psd1
$out = foreach ($n in $env:ZPKI_HELP_NAMES.Split(',')) { $c = Get-Command $n
  [pscustomobject]@{ Name = $n; Sets = @($c.ParameterSets | ForEach-Object { [pscustomobject]@{ Name = $_.Name; Parameters = @($_.Parameters | ForEach-Object {
    [pscustomobject]@{ Name = $_.Name; Type = $_.ParameterType.Name; Mandatory = $_.IsMandatory; Position = $_.Position; Pipeline = $_.ValueFromPipeline; ByName = $_.ValueFromPipelineByPropertyName } }) } }) } }
$out | ConvertTo-Json -Depth 6 -AsArray
'''
    r = subprocess.run(['dotnet', 'pwsh', '-NoProfile', '-Command', script], cwd=root, capture_output=True, text=True, check=True, env={**os.environ, 'ZPKI_HELP_NAMES': ','.join(names)})
    return json.loads(r.stdout)


def sections(md):
    parts, cur, buf = {}, None, []
    for line in md.splitlines():
        m = re.match(r'^## (.+)$', line)
        if m:
            if cur:
                parts[cur] = '\n'.join(buf).strip()
            cur, buf = m.group(1).strip(), []
        else:
            buf.append(line)
    if cur:
        parts[cur] = '\n'.join(buf).strip()
    return parts


def paras(text):
    return ''.join(f'<maml:para>{escape(" ".join(p.split()))}</maml:para>' for p in re.split(r'\n\s*\n', text.strip()) if p.strip())


def command(name, m, md):
    s = sections(md)
    verb, noun = name.split('-', 1)
    params = {}
    for mm in re.finditer(r'^### -(\w+)\n(.*?)(?=^### |\Z)', s['PARAMETERS'] + '\n', re.S | re.M):
        params[mm.group(1)] = mm.group(2).strip()
    x = ['  <command:command xmlns:maml="http://schemas.microsoft.com/maml/2004/10" xmlns:command="http://schemas.microsoft.com/maml/dev/command/2004/10" xmlns:dev="http://schemas.microsoft.com/maml/dev/2004/10">']
    x.append(f'    <command:details><command:name>{name}</command:name><command:verb>{verb}</command:verb><command:noun>{noun}</command:noun>')
    x.append(f'      <maml:description>{paras(s["SYNOPSIS"])}</maml:description></command:details>')
    x.append(f'    <maml:description>{paras(s["DESCRIPTION"])}</maml:description>')
    x.append('    <command:syntax>')
    seen = {}
    for st in m['Sets']:
        x.append(f'      <command:syntaxItem><maml:name>{name}</maml:name>')
        for p in st['Parameters']:
            if p['Name'] in COMMON:
                continue
            seen.setdefault(p['Name'], p)
            pos = 'named' if p['Position'] < 0 else str(p['Position'])
            pipe = 'True (ByValue)' if p['Pipeline'] else 'True (ByPropertyName)' if p['ByName'] else 'False'
            x.append(f'        <command:parameter required="{str(p["Mandatory"]).lower()}" position="{pos}" pipelineInput="{pipe}"><maml:name>{p["Name"]}</maml:name><command:parameterValue required="true">{p["Type"]}</command:parameterValue></command:parameter>')
        x.append('      </command:syntaxItem>')
    x.append('    </command:syntax>')
    x.append('    <command:parameters>')
    for pname, p in seen.items():
        if pname not in params:
            sys.exit(f'{name}: -{pname} is not described in docs/help/{name}.md')
        x.append(f'      <command:parameter required="{str(p["Mandatory"]).lower()}" position="{"named" if p["Position"] < 0 else p["Position"]}"><maml:name>{pname}</maml:name><maml:description>{paras(params[pname])}</maml:description><command:parameterValue required="true">{p["Type"]}</command:parameterValue></command:parameter>')
    x.append('    </command:parameters>')
    x.append('    <command:examples>')
    for i, ex in enumerate(re.finditer(r'^### (Example \d+: .+?)\n```powershell\n(.*?)\n```\n(.*?)(?=^### |\Z)', s['EXAMPLES'] + '\n', re.S | re.M), 1):
        x.append(f'      <command:example><maml:title>--- {escape(ex.group(1))} ---</maml:title><dev:code>{escape(ex.group(2))}</dev:code><dev:remarks>{paras(ex.group(3))}</dev:remarks></command:example>')
    x.append('    </command:examples>')
    if 'NOTES' in s:
        x.append(f'    <maml:alertSet><maml:alert>{paras(s["NOTES"])}</maml:alert></maml:alertSet>')
    x.append('    <command:relatedLinks>' + ''.join(f'<maml:navigationLink><maml:linkText>{escape(l.strip("- ").strip())}</maml:linkText></maml:navigationLink>' for l in s.get('RELATED LINKS', '').splitlines() if l.strip()) + '</command:relatedLinks>')
    x.append('  </command:command>')
    return '\n'.join(x)


names = sys.argv[1:]
xml = open(help_xml, encoding='utf-8').read()
for m in meta(names):
    name = m['Name']
    md = open(os.path.join(root, 'docs', 'help', name + '.md'), encoding='utf-8').read()
    block = command(name, m, md)
    xml = re.sub(r'\s*<command:command [^>]*>\s*<command:details><command:name>' + re.escape(name) + r'</command:name>.*?</command:command>', '', xml, flags=re.S)
    xml = xml.replace('</helpItems>', block + '\n</helpItems>')
open(help_xml, 'w', encoding='utf-8').write(xml)
print('help for', ', '.join(names))
