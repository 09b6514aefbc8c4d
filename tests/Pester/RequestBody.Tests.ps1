BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:emulator = Start-CaxtonEmulator -Path $env:CAXTON_TEST_EMULATOR
}

AfterAll {
    $script:emulator | Stop-CaxtonEmulator
}

Describe 'Invoke-CaxtonRestMethod -Body: the same bytes on Windows PowerShell 5.1 and PowerShell 7' {
    BeforeAll {
        Disconnect-Caxton
        $null = Connect-Caxton -BaseUri $emulator.BaseUri
        $null = New-TestPassword -Emulator $emulator
    }

    It 'sends <Name> as the engine writes it, not as ConvertTo-Json would' -ForEach @(
        @{ Name = 'a hashtable of dates, escapes and an enum'; Json = '{"When":"2024-02-29T13:05:09.1230000Z","Text":"\u003C\u00E9\u003E \"q\"","Day":2}'
            Body = { [ordered]@{ When = [datetime]::new(2024, 2, 29, 13, 5, 9, 123, [DateTimeKind]::Utc); Text = '<é> "q"'; Day = [DayOfWeek]::Tuesday } } }
        @{ Name = 'a custom object with a nested array'; Json = '{"A":1,"B":["x",null,true]}'
            Body = { [pscustomobject]@{ A = 1; B = @('x', $null, $true) } } }
        # ConvertTo-Json on 5.1 writes Get-Date's output as an object of value, DisplayHint and DateTime.
        @{ Name = 'Get-Date output'; Json = '{"At":"2024-02-29T13:05:09.0000000Z"}'
            Body = { @{ At = Get-Date -Date ([datetime]::new(2024, 2, 29, 13, 5, 9, [DateTimeKind]::Utc)) } } }
    ) {
        $trace = Invoke-CaxtonRestMethod -Path 'reference/lookup/banks/GBP' -Method POST -Body (& $Body) -Confirm:$false -Debug -ErrorAction SilentlyContinue 5>&1 |
            Where-Object { $_ -is [System.Management.Automation.DebugRecord] -and $_.Message -match 'request POST \S*reference/lookup' }
        $trace | Should -Not -BeNullOrEmpty
        $trace[0].Message | Should -Match ('(?m)^  ' + [regex]::Escape($Json) + '$')
    }

    It 'refuses a live object (<Name>) as InvalidBody, at once and without sending it' -ForEach @(
        @{ Name = 'Get-Item of a file'; Body = { Get-Item -LiteralPath $PSCommandPath } }
        @{ Name = 'Get-Process of this process'; Body = { Get-Process -Id $PID } }
    ) {
        $before = Get-CaxtonEmulatorStats -Emulator $emulator | ConvertTo-Json -Compress
        $watch = [Diagnostics.Stopwatch]::StartNew()
        Invoke-CaxtonRestMethod -Path 'reference/lookup/banks/GBP' -Method PUT -Body (& $Body) -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable failed
        $watch.Stop()
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'InvalidBody,*'
        $failed[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 60 -Because 'the walk is bounded (it hung for minutes before)'
        Get-CaxtonEmulatorStats -Emulator $emulator | ConvertTo-Json -Compress | Should -Be $before
    }

    It 'a body that nests deeper than 20 levels is sent with its deepest values as text, as ConvertTo-Json -Depth 20 would' {
        $deep = @{ Leaf = 1 }
        1..25 | ForEach-Object { $deep = @{ Next = $deep } }
        $trace = Invoke-CaxtonRestMethod -Path 'reference/lookup/banks/GBP' -Method POST -Body $deep -Confirm:$false -Debug -ErrorAction SilentlyContinue 5>&1 |
            Where-Object { $_ -is [System.Management.Automation.DebugRecord] -and $_.Message -match 'request POST \S*reference/lookup' }
        $trace[0].Message | Should -Match '"Next":"System.Collections.Hashtable"'
    }
}
