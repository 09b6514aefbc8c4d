# Dependency isolation: Caxton's Microsoft.Extensions.* never meet another module's copies in the same
# session. Each case runs in a fresh pwsh, because what matters is what gets loaded in which order.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:emulator = Start-CaxtonEmulator -Path $env:CAXTON_TEST_EMULATOR
    $script:moduleDir = Split-Path $env:CAXTON_TEST_MODULE

    # An older Microsoft.Extensions.Http stack, as another module would bring it (restored by tests/tools/Tools.csproj).
    $packages = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages' }
    $script:conflictPaths = @(
        'Microsoft.Extensions.Primitives', 'Microsoft.Extensions.Configuration.Abstractions', 'Microsoft.Extensions.Configuration',
        'Microsoft.Extensions.Configuration.Binder', 'Microsoft.Extensions.DependencyInjection.Abstractions',
        'Microsoft.Extensions.DependencyInjection', 'Microsoft.Extensions.Options', 'Microsoft.Extensions.Logging.Abstractions',
        'Microsoft.Extensions.Logging', 'Microsoft.Extensions.Http'
    ) | ForEach-Object {
        $path = Join-Path $packages "$($_.ToLowerInvariant())/2.1.0/lib/netstandard2.0/$_.dll"
        if (-not (Test-Path $path)) { throw "$path is missing: restore tests/tools/Tools.csproj." }
        $path
    }

    # The script each fresh pwsh runs. It prints one line of JSON: what the test asserts on.
    $script:child = Join-Path $TestDrive 'isolation-child.ps1'
    Set-Content -LiteralPath $child -Value @'
param(
    [string] $ModulePath, [string] $BaseUri, [string] $ControlUri, [string] $ControlKey, [string] $ConflictPaths,
    [string] $Username, [string] $Clientname,
    [ValidateSet('Before', 'After', 'None', 'ImportOnly')] [string] $Conflict
)
$ErrorActionPreference = 'Stop'
$alc = [System.Runtime.Loader.AssemblyLoadContext]
$report = [ordered]@{}

function Get-LoadedNames { [AppDomain]::CurrentDomain.GetAssemblies() | ForEach-Object { $_.GetName().Name } }

function Add-OtherModule {
    # What another module does with its own, older stack: load it into the session and use it.
    $assemblies = foreach ($path in $ConflictPaths -split [IO.Path]::PathSeparator) { [Reflection.Assembly]::LoadFrom($path) }
    $services = [Microsoft.Extensions.DependencyInjection.ServiceCollection]::new()
    $null = [Microsoft.Extensions.DependencyInjection.HttpClientFactoryServiceCollectionExtensions]::AddHttpClient($services)
    $provider = [Microsoft.Extensions.DependencyInjection.ServiceCollectionContainerBuilderExtensions]::BuildServiceProvider($services)
    $script:otherFactory = $provider.GetService([System.Net.Http.IHttpClientFactory])
    $script:report.OtherVersions = @($assemblies | ForEach-Object { "$($_.GetName().Version)" } | Sort-Object -Unique)
    $script:report.OtherContexts = @($assemblies | ForEach-Object { $alc::GetLoadContext($_).Name } | Sort-Object -Unique)
}

function Test-OtherModule {
    # The other module's stack still works: its factory, its client, a real request.
    $request = [System.Net.Http.HttpRequestMessage]::new([System.Net.Http.HttpMethod]::Get, $ControlUri + 'stats')
    $request.Headers.Add('X-Emulator-Key', $ControlKey)
    [int]$otherFactory.CreateClient('other').SendAsync($request).GetAwaiter().GetResult().StatusCode
}

function Invoke-Flow {
    $connection = Connect-Caxton -BaseUri $BaseUri
    $password = New-CaxtonPassword -Username $Username -Clientname $Clientname -Confirm:$false
    $token = $password | Get-CaxtonToken
    $banks = Invoke-CaxtonRestMethod 'reference/lookup/banks/GBP' -Connection $connection
    $reset = Reset-CaxtonCredential -Username $Username -Clientname $Clientname -Force -PassThru
    [ordered]@{
        Typed    = ($connection -is [Caxton.CaxtonConnection]) -and ($password -is [Caxton.CaxtonClientPassword]) -and ($token -is [Caxton.CaxtonToken])
        Token    = $token.Username
        Banks    = $banks.ApiStatus
        BankRows = @($banks.Banks).Count
        Reset    = $reset.ApiStatus
        Shown    = ($connection | Format-List | Out-String) -match [regex]::Escape($BaseUri)
    }
}

function Get-CaxtonLoading {
    # Where the assemblies Caxton really uses came from: read off its own types, not looked up by name.
    $engine = [Caxton.CaxtonConnection].Assembly
    $json = $engine.GetType('Caxton.Wire.ApiModel', $true).GetProperty('Element').PropertyType.Assembly
    $bridge = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'Caxton.Http' }
    $http = $bridge.GetType('Caxton.HttpClientSource', $true).GetField('Factory', [Reflection.BindingFlags]'NonPublic,Static').FieldType.GenericTypeArguments[0].Assembly
    $context = $alc::GetLoadContext($http)
    [ordered]@{
        EngineContext      = $alc::GetLoadContext($engine).Name
        BridgeContext      = $alc::GetLoadContext($bridge).GetType().FullName
        HttpContext        = $context.GetType().FullName
        HttpVersion        = "$($http.GetName().Version)"
        HttpLocation       = $http.Location
        JsonContext        = $alc::GetLoadContext($json).Name
        JsonLocation       = $json.Location
        RuntimeDirectory   = Split-Path ([object].Assembly.Location)
        PrivateAssemblies  = @($context.Assemblies | ForEach-Object { $_.GetName().Name } | Sort-Object)
        DefaultFromModule  = @($alc::Default.Assemblies | Where-Object { $_.Location -and $_.Location.StartsWith((Split-Path $ModulePath)) } | ForEach-Object { $_.GetName().Name } | Sort-Object)
        DefaultExtensions  = @($alc::Default.Assemblies | Where-Object { $_.GetName().Name -like 'Microsoft.Extensions.*' } | ForEach-Object { "$($_.GetName().Name) $($_.GetName().Version)" })
    }
}

switch ($Conflict) {
    'ImportOnly' {
        Import-Module $ModulePath
        $report.AfterImport = @(Get-LoadedNames)
        $null = Connect-Caxton -BaseUri $BaseUri
        $null = New-CaxtonPassword -Username $Username -Clientname $Clientname -Confirm:$false
        $report.AfterCall = @(Get-LoadedNames)
    }
    'None' {
        Import-Module $ModulePath
        $report.Flow = Invoke-Flow
        $report.Loading = Get-CaxtonLoading
    }
    'Before' {
        Add-OtherModule
        $report.OtherBefore = Test-OtherModule
        Import-Module $ModulePath
        $report.Flow = Invoke-Flow
        $report.OtherAfter = Test-OtherModule
        $report.Loading = Get-CaxtonLoading
    }
    'After' {
        Import-Module $ModulePath
        $report.FirstFlow = Invoke-Flow
        Add-OtherModule
        $report.OtherBefore = Test-OtherModule
        $report.Flow = Invoke-Flow
        $report.OtherAfter = Test-OtherModule
        $report.Loading = Get-CaxtonLoading
    }
}
$report | ConvertTo-Json -Depth 5 -Compress
'@

    function Invoke-IsolationCase([string] $Conflict, [switch] $NoStartupProfile) {
        $account = New-CaxtonEmulatorAccount -Emulator $emulator
        $saved = $env:XDG_CACHE_HOME, $env:LOCALAPPDATA
        if ($NoStartupProfile) {
            # pwsh replays the JIT profile of the previous session (multicore JIT) on a background thread;
            # after a session that used Caxton that compiles our methods, and so loads the engine, right
            # after import. An empty cache folder (XDG_CACHE_HOME on Unix, LOCALAPPDATA on Windows) means
            # no profile, so what is loaded is what the import itself loaded.
            $env:XDG_CACHE_HOME = $env:LOCALAPPDATA = (New-Item -ItemType Directory -Path (Join-Path $TestDrive ([guid]::NewGuid()))).FullName
        }
        try {
            $output = Invoke-FreshPwsh -File $child -ModulePath $env:CAXTON_TEST_MODULE -BaseUri $emulator.BaseUri `
                -ControlUri $emulator.ControlUri -ControlKey $emulator.ControlKey -ConflictPaths ($conflictPaths -join [IO.Path]::PathSeparator) `
                -Username $account.Username -Clientname $account.Clientname -Conflict $Conflict 2>&1
        }
        finally {
            $env:XDG_CACHE_HOME, $env:LOCALAPPDATA = $saved
        }
        $json = $output | Where-Object { $_ -is [string] -and $_.StartsWith('{') } | Select-Object -Last 1
        if ($LASTEXITCODE -ne 0 -or -not $json) { throw "The fresh pwsh failed (exit $LASTEXITCODE):`n$($output -join "`n")" }
        [pscustomobject]@{ Username = $account.Username; Report = $json | ConvertFrom-Json }
    }

    function Assert-Flow($Flow, [string] $Username) {
        $Flow.Typed | Should -BeTrue
        $Flow.Token | Should -Be $Username
        $Flow.Banks | Should -Be 'IsValid'
        $Flow.BankRows | Should -BeGreaterThan 0
        $Flow.Reset | Should -Be 'IsValid'
        $Flow.Shown | Should -BeTrue
    }

    function Assert-BothWork($Case) {
        $report = $Case.Report
        $report.OtherVersions | Should -Be '2.1.0.0'
        $report.OtherContexts | Should -Be 'Default'
        $report.OtherBefore | Should -Be 200
        Assert-Flow $report.Flow $Case.Username
        $report.OtherAfter | Should -Be 200
        Assert-Isolated $report.Loading
        # The default context holds the other module's whole 2.1 stack, and nothing of ours.
        $report.Loading.DefaultExtensions | ForEach-Object { $_ | Should -BeLike '* 2.1.0.0' }
        $report.Loading.DefaultExtensions.Count | Should -Be $conflictPaths.Count
    }

    function Assert-Isolated($Loading) {
        $Loading.EngineContext | Should -Be 'Default'
        $Loading.BridgeContext | Should -Be 'Caxton.Loader.CaxtonLoadContext'
        $Loading.HttpContext | Should -Be 'Caxton.Loader.CaxtonLoadContext'
        $Loading.HttpVersion | Should -Be '8.0.0.0'
        $Loading.HttpLocation | Should -BeLike (Join-Path $moduleDir 'Dependencies/*')
    }
}

AfterAll {
    $script:emulator | Stop-CaxtonEmulator
}

Describe 'Another module''s older Microsoft.Extensions.* in the same session' {
    It 'loaded before Import-Module: the whole flow works, and so does the other module' {
        $case = Invoke-IsolationCase -Conflict Before
        Assert-BothWork $case
    }

    It 'loaded after Import-Module and a first call: both keep working' {
        $case = Invoke-IsolationCase -Conflict After
        Assert-Flow $case.Report.FirstFlow $case.Username
        # Loading 2.1 next to our 8.0 fails with "assembly with same name is already loaded" when ours are in the default context.
        Assert-BothWork $case
    }
}

Describe 'What loads where' {
    It 'Microsoft.Extensions.* used by Caxton are in the Caxton context; framework assemblies and the engine in the default one' {
        $case = Invoke-IsolationCase -Conflict None
        Assert-Flow $case.Report.Flow $case.Username
        $loading = $case.Report.Loading
        Assert-Isolated $loading
        # System.Text.Json is the framework's, not the copy in Dependencies/ (that one is for Windows PowerShell 5.1).
        $loading.JsonContext | Should -Be 'Default'
        (Split-Path $loading.JsonLocation) | Should -Be $loading.RuntimeDirectory
        # The private context holds only our bridge and third-party assemblies the runtime does not provide.
        $loading.PrivateAssemblies | Should -Contain 'Caxton.Http'
        $loading.PrivateAssemblies | Should -Contain 'Microsoft.Extensions.Http'
        # The factory's services come from Caxton.Http's FactoryServices, not the dependency-injection container.
        $loading.PrivateAssemblies | Should -Not -Contain 'Microsoft.Extensions.DependencyInjection'
        $loading.PrivateAssemblies | Where-Object { $_ -like 'System.*' } | Should -BeNullOrEmpty
        # Of our files, only the cmdlets, their PowerShell 7 loader, the framework check and the engine are in the default context; no Microsoft.Extensions.* at all.
        $loading.DefaultFromModule | Should -Be 'Caxton', 'Caxton.Engine', 'Caxton.Loader', 'Caxton.Requirements'
        $loading.DefaultExtensions | Should -BeNullOrEmpty
    }

    It 'Import-Module alone loads neither the engine nor any dependency; the first call does' {
        $report = (Invoke-IsolationCase -Conflict ImportOnly -NoStartupProfile).Report
        $report.AfterImport | Should -Contain 'Caxton'
        $report.AfterImport | Should -Not -Contain 'Caxton.Engine'
        $report.AfterImport | Should -Not -Contain 'Caxton.Http'
        $report.AfterImport | Where-Object { $_ -like 'Microsoft.Extensions.*' } | Should -BeNullOrEmpty
        # The same check sees them once a cmdlet has talked to Caxton.
        $report.AfterCall | Should -Contain 'Caxton.Engine'
        $report.AfterCall | Should -Contain 'Microsoft.Extensions.Http'
    }

    It 'the module folder holds the cmdlets, the PowerShell 7 loader and the framework check beside the manifest and everything else in Dependencies/' {
        (Get-ChildItem $moduleDir -Filter *.dll).Name | Sort-Object | Should -Be 'Caxton.dll', 'Caxton.Loader.dll', 'Caxton.Requirements.dll'
        $dependencies = (Get-ChildItem (Join-Path $moduleDir 'Dependencies') -Filter *.dll).Name
        $dependencies | Should -Contain 'Caxton.Engine.dll'
        $dependencies | Should -Contain 'Caxton.Http.dll'
        $dependencies | Should -Contain 'Microsoft.Extensions.Http.dll'
        $dependencies | Should -Contain 'System.Text.Json.dll'
        Get-ChildItem $moduleDir -Recurse -Filter 'System.Management.Automation.dll' | Should -BeNullOrEmpty
        Get-ChildItem $moduleDir -Recurse -Filter 'System.Runtime.Loader.dll' | Should -BeNullOrEmpty
    }

    It 'nothing in Caxton.dll, which Windows PowerShell 5.1 loads, derives from AssemblyLoadContext, which it does not have' {
        # .NET Framework could not load a type whose base is AssemblyLoadContext: the load context lives in
        # Caxton.Loader.dll, loaded on PowerShell 7 only, so any tool can reflect over all of Caxton.dll.
        $types = [Caxton.Commands.ModuleInitializer].Assembly.GetTypes()
        $types.Name | Should -Contain 'ModuleInitializer'
        $types | Where-Object { [System.Runtime.Loader.AssemblyLoadContext].IsAssignableFrom($_) } | Should -BeNullOrEmpty
        $loader = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'Caxton.Loader' }
        $loader.GetType('Caxton.Loader.CaxtonLoadContext', $true).IsPublic | Should -BeFalse
        $loader.Location | Should -Be (Join-Path $moduleDir 'Caxton.Loader.dll')
    }
}
