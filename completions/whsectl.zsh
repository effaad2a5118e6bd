#compdef whsectl

__whsectl_complete() {
    local -ar non_empty_completions=("${@:#(|:*)}")
    local -ar empty_completions=("${(M)@:#(|:*)}")
    _describe -V '' non_empty_completions -- empty_completions -P $'\'\''
}

__whsectl_custom_complete() {
    local -a completions
    completions=("${(@f)"$("${command_name}" "${@}" "${command_line[@]}")"}")
    if [[ "${#completions[@]}" -gt 1 ]]; then
        __whsectl_complete "${completions[@]:0:-1}"
    fi
}

__whsectl_cursor_index_in_current_word() {
    if [[ -z "${QIPREFIX}${IPREFIX}${PREFIX}" ]]; then
        printf 0
    else
        printf %s "${#${(z)LBUFFER}[-1]}"
    fi
}

_whsectl() {
    emulate -RL zsh -G
    setopt extendedglob nullglob numericglobsort
    unsetopt aliases banghist

    local -xr SAP_SHELL=zsh
    local -x SAP_SHELL_VERSION
    SAP_SHELL_VERSION="$(builtin emulate zsh -c 'printf %s "${ZSH_VERSION}"')"
    local -r SAP_SHELL_VERSION

    local context state state_descr line
    local -A opt_args

    local -r command_name="${words[1]}"
    local -ar command_line=("${words[@]}")
    local -ir current_word_index="$((CURRENT - 1))"

    local -i ret=1
    local -ar arg_specs=(
        '--socket[whsed'\''s socket (default\: $WHSED_SOCKET, else ./whsed.sock).]:socket:'
        '--json[Print the result as one JSON document.]'
        '--format[Output format\: table, json, jsonl, csv.]:format:'
        '--timeout[Seconds to wait for whsed'\''s answer (0\: forever).]:timeout:'
        '--idempotency-key[Idempotency key for a posting\: a retry with the same key never posts twice.]:idempotency-key:'
        '--retries[Retries after a lost connection (same idempotency key each time, so never a double posting).]:retries:'
        '(-h --help)'{-h,--help}'[Show help information.]'
        '(-): :->command'
        '(-)*:: :->arg'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0
    case "${state}" in
    command)
        local -ar subcommands=(
            'location:Locations (sites) and their kinds.'
            'zone:Zones of directed locations.'
            'bin:Bins and what they hold.'
            'item:Items, where they are, availability.'
            'counting-period:Cycle counting: counting periods and the items due.'
            'whse-journal:Warehouse journals at directed locations: adjustments and reclassification.'
            'item-journal:Item journal: adjustments, purchases, sales; Calculate Whse. Adjustment.'
            'reservation:Reserve stock for a document; reserved stock must be available to pick.'
            'count:Warehouse physical inventory at directed locations: calculate, print the count list, enter counts, register.'
            'phys-inventory:Phys. Inventory Journal: bring the item ledger to the counted stock.'
            'entries:Ledger entries with filters and paging.'
            'server:The daemon itself.'
            'call:Call any method with JSON params and print the raw result.'
            'help:Show subcommand help information.'
        )
        _describe -V subcommand subcommands && ret=0
        ;;
    arg)
        case "${words[1]}" in
        location|zone|bin|item|counting-period|whse-journal|item-journal|reservation|count|phys-inventory|entries|server|call|help)
            "_whsectl_${words[1]}" && ret=0
            ;;
        esac
        ;;
    esac

    return "${ret}"
}

_whsectl_location() {
    local -i ret=1
    local -ar arg_specs=(
        '(-h --help)'{-h,--help}'[Show help information.]'
        '(-): :->command'
        '(-)*:: :->arg'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0
    case "${state}" in
    command)
        local -ar subcommands=(
            'create:Create a location (location.create).'
            'update:Change a location'\''s name, bin capacity policy, warehouse class check or negative-inventory setting (location.update).'
            'get:Show a location (location.get).'
            'list:List locations (location.list).'
            'convert:Convert a plain location to directed put-away and pick (location.convertToDirected).'
        )
        _describe -V subcommand subcommands && ret=0
        ;;
    arg)
        case "${words[1]}" in
        create|update|get|list|convert)
            "_whsectl_location_${words[1]}" && ret=0
            ;;
        esac
        ;;
    esac

    return "${ret}"
}

_whsectl_location_create() {
    local -i ret=1
    local -ar ___kind=('directed' 'basic' 'plain')
    local -ar ___bin_capacity_policy=('never' 'allowMore' 'prohibitMore')
    local -ar arg_specs=(
        '--socket[whsed'\''s socket (default\: $WHSED_SOCKET, else ./whsed.sock).]:socket:'
        '--json[Print the result as one JSON document.]'
        '--format[Output format\: table, json, jsonl, csv.]:format:'
        '--timeout[Seconds to wait for whsed'\''s answer (0\: forever).]:timeout:'
        '--idempotency-key[Idempotency key for a posting\: a retry with the same key never posts twice.]:idempotency-key:'
        '--retries[Retries after a lost connection (same idempotency key each time, so never a double posting).]:retries:'
        ':code:'
        '--name[Name.]:name:'
        '--kind[directed (zones, adjustment bin), basic (bin mandatory) or plain (no bins).]:kind:{__whsectl_complete "${___kind[@]}"}'
        '--adjustment-bin[Code of the default adjustment bin (directed).]:adjustment-bin:'
        '--adjustment-zone[Zone of the adjustment bin (directed).]:adjustment-zone:'
        '--bin-capacity-policy[never (default), allowMore (post and warn) or prohibitMore (refuse).]:bin-capacity-policy:{__whsectl_complete "${___bin_capacity_policy[@]}"}'
        '--check-warehouse-class[Items go only into bins of their warehouse class.]'
        '--allow-negative-inventory[Item journal lines may take the location'\''s inventory below zero (directed and plain locations).]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_whsectl_location_update() {
    local -i ret=1
    local -ar ___bin_capacity_policy=('never' 'allowMore' 'prohibitMore')
    local -ar arg_specs=(
        '--socket[whsed'\''s socket (default\: $WHSED_SOCKET, else ./whsed.sock).]:socket:'
        '--json[Print the result as one JSON document.]'
        '--format[Output format\: table, json, jsonl, csv.]:format:'
        '--timeout[Seconds to wait for whsed'\''s answer (0\: forever).]:timeout:'
        '--idempotency-key[Idempotency key for a posting\: a retry with the same key never posts twice.]:idempotency-key:'
        '--retries[Retries after a lost connection (same idempotency key each time, so never a double posting).]:retries:'
        ':code:'
        '--name:name:'
        '--bin-capacity-policy[never, allowMore (post and warn) or prohibitMore (refuse).]:bin-capacity-policy:{__whsectl_complete "${___bin_capacity_policy[@]}"}'
        '--check-warehouse-class[Items go only into bins of their warehouse class.]'
        '--no-check-warehouse-class[Items go only into bins of their warehouse class.]'
        '--allow-negative-inventory[Item journal lines may take the location'\''s inventory below zero (directed and plain locations).]'
        '--no-allow-negative-inventory[Item journal lines may take the location'\''s inventory below zero (directed and plain locations).]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_whsectl_location_get() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[whsed'\''s socket (default\: $WHSED_SOCKET, else ./whsed.sock).]:socket:'
        '--json[Print the result as one JSON document.]'
        '--format[Output format\: table, json, jsonl, csv.]:format:'
        '--timeout[Seconds to wait for whsed'\''s answer (0\: forever).]:timeout:'
        '--idempotency-key[Idempotency key for a posting\: a retry with the same key never posts twice.]:idempotency-key:'
        '--retries[Retries after a lost connection (same idempotency key each time, so never a double posting).]:retries:'
        ':code:'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_whsectl_location_list() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[whsed'\''s socket (default\: $WHSED_SOCKET, else ./whsed.sock).]:socket:'
        '--json[Print the result as one JSON document.]'
        '--format[Output format\: table, json, jsonl, csv.]:format:'
        '--timeout[Seconds to wait for whsed'\''s answer (0\: forever).]:timeout:'
        '--idempotency-key[Idempotency key for a posting\: a retry with the same key never posts twice.]:idempotency-key:'
        '--retries[Retries after a lost connection (same idempotency key each time, so never a double posting).]:retries:'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_whsectl_location_convert() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[whsed'\''s socket (default\: $WHSED_SOCKET, else ./whsed.sock).]:socket:'
        '--json[Print the result as one JSON document.]'
        '--format[Output format\: table, json, jsonl, csv.]:format:'
        '--timeout[Seconds to wait for whsed'\''s answer (0\: forever).]:timeout:'
        '--idempotency-key[Idempotency key for a posting\: a retry with the same key never posts twice.]:idempotency-key:'
        '--retries[Retries after a lost connection (same idempotency key each time, so never a double posting).]:retries:'
        ':code:'
        '--adjustment-bin:adjustment-bin:'
        '--adjustment-zone:adjustment-zone:'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_whsectl_zone() {
    local -i ret=1
    local -ar arg_specs=(
        '(-h --help)'{-h,--help}'[Show help information.]'
        '(-): :->command'
        '(-)*:: :->arg'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0
    case "${state}" in
    command)
        local -ar subcommands=(
            'create:Create a zone (zone.create).'
            'list:List a location'\''s zones (zone.list).'
        )
        _describe -V subcommand subcommands && ret=0
        ;;
    arg)
        case "${words[1]}" in
        create|list)
            "_whsectl_zone_${words[1]}" && ret=0
            ;;
        esac
        ;;
    esac

    return "${ret}"
}

_whsectl_zone_create() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[whsed'\''s socket (default\: $WHSED_SOCKET, else ./whsed.sock).]:socket:'
        '--json[Print the result as one JSON document.]'
        '--format[Output format\: table, json, jsonl, csv.]:format:'
        '--timeout[Seconds to wait for whsed'\''s answer (0\: forever).]:timeout:'
        '--idempotency-key[Idempotency key for a posting\: a retry with the same key never posts twice.]:idempotency-key:'
        '--retries[Retries after a lost connection (same idempotency key each time, so never a double posting).]:retries:'
        ':location:'
        ':code:'
        '--bin-type[Bin type new bins take\: RECEIVE, SHIP, PUTAWAY, PICK, PUTPICK, QC.]:bin-type:'
        '--warehouse-class[Warehouse class new bins take.]:warehouse-class:'
        '--description:description:'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_whsectl_zone_list() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[whsed'\''s socket (default\: $WHSED_SOCKET, else ./whsed.sock).]:socket:'
        '--json[Print the result as one JSON document.]'
        '--format[Output format\: table, json, jsonl, csv.]:format:'
        '--timeout[Seconds to wait for whsed'\''s answer (0\: forever).]:timeout:'
        '--idempotency-key[Idempotency key for a posting\: a retry with the same key never posts twice.]:idempotency-key:'
        '--retries[Retries after a lost connection (same idempotency key each time, so never a double posting).]:retries:'
        ':location:'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_whsectl_bin() {
    local -i ret=1
    local -ar arg_specs=(
        '(-h --help)'{-h,--help}'[Show help information.]'
        '(-): :->command'
        '(-)*:: :->arg'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0
    case "${state}" in
    command)
        local -ar subcommands=(
            'create:Create a bin (bin.create).'
            'update:Change a bin (bin.update).'
            'list:List a location'\''s bins (bin.list).'
            'contents:What a bin holds (bin.contents).'
            'setup-content:Set up a bin content: min./max. quantity, Fixed, Default (binContent.setup).'
        )
        _describe -V subcommand subcommands && ret=0
        ;;
    arg)
        case "${words[1]}" in
        create|update|list|contents|setup-content)
            "_whsectl_bin_${words[1]}" && ret=0
            ;;
        esac
        ;;
    esac

    return "${ret}"
}

_whsectl_bin_create() {
    local -i ret=1
    local -ar ___block=('none' 'inbound' 'outbound' 'all')
    local -ar arg_specs=(
        '--socket[whsed'\''s socket (default\: $WHSED_SOCKET, else ./whsed.sock).]:socket:'
        '--json[Print the result as one JSON document.]'
        '--format[Output format\: table, json, jsonl, csv.]:format:'
        '--timeout[Seconds to wait for whsed'\''s answer (0\: forever).]:timeout:'
        '--idempotency-key[Idempotency key for a posting\: a retry with the same key never posts twice.]:idempotency-key:'
        '--retries[Retries after a lost connection (same idempotency key each time, so never a double posting).]:retries:'
        ':location:'
        ':code:'
        '--zone[Zone (required at directed locations).]:zone:'
        '--bin-type[Bin type (default\: the zone'\''s).]:bin-type:'
        '--block[Block movement\: none, inbound, outbound, all.]:block:{__whsectl_complete "${___block[@]}"}'
        '--maximum-cubage[Maximum cubage (0\: unlimited).]:maximum-cubage:'
        '--maximum-weight[Maximum weight (0\: unlimited).]:maximum-weight:'
        '--warehouse-class[Warehouse class (default\: the zone'\''s).]:warehouse-class:'
        '--description:description:'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_whsectl_bin_update() {
    local -i ret=1
    local -ar ___block=('none' 'inbound' 'outbound' 'all')
    local -ar arg_specs=(
        '--socket[whsed'\''s socket (default\: $WHSED_SOCKET, else ./whsed.sock).]:socket:'
        '--json[Print the result as one JSON document.]'
        '--format[Output format\: table, json, jsonl, csv.]:format:'
        '--timeout[Seconds to wait for whsed'\''s answer (0\: forever).]:timeout:'
        '--idempotency-key[Idempotency key for a posting\: a retry with the same key never posts twice.]:idempotency-key:'
        '--retries[Retries after a lost connection (same idempotency key each time, so never a double posting).]:retries:'
        ':location:'
        ':code:'
        '--block[Block movement\: none, inbound, outbound, all.]:block:{__whsectl_complete "${___block[@]}"}'
        '--bin-type:bin-type:'
        '--description:description:'
        '--maximum-cubage[Maximum cubage (0\: unlimited).]:maximum-cubage:'
        '--maximum-weight[Maximum weight (0\: unlimited).]:maximum-weight:'
        '--warehouse-class[Warehouse class (the bin must be empty).]:warehouse-class:'
        '--clear-warehouse-class[Remove the bin'\''s warehouse class (the bin must be empty).]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_whsectl_bin_list() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[whsed'\''s socket (default\: $WHSED_SOCKET, else ./whsed.sock).]:socket:'
        '--json[Print the result as one JSON document.]'
        '--format[Output format\: table, json, jsonl, csv.]:format:'
        '--timeout[Seconds to wait for whsed'\''s answer (0\: forever).]:timeout:'
        '--idempotency-key[Idempotency key for a posting\: a retry with the same key never posts twice.]:idempotency-key:'
        '--retries[Retries after a lost connection (same idempotency key each time, so never a double posting).]:retries:'
        ':location:'
        '--zone:zone:'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_whsectl_bin_contents() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[whsed'\''s socket (default\: $WHSED_SOCKET, else ./whsed.sock).]:socket:'
        '--json[Print the result as one JSON document.]'
        '--format[Output format\: table, json, jsonl, csv.]:format:'
        '--timeout[Seconds to wait for whsed'\''s answer (0\: forever).]:timeout:'
        '--idempotency-key[Idempotency key for a posting\: a retry with the same key never posts twice.]:idempotency-key:'
        '--retries[Retries after a lost connection (same idempotency key each time, so never a double posting).]:retries:'
        ':location:'
        ':bin:'
        '--include-zero[Include items whose quantity is zero.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_whsectl_bin_setup-content() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[whsed'\''s socket (default\: $WHSED_SOCKET, else ./whsed.sock).]:socket:'
        '--json[Print the result as one JSON document.]'
        '--format[Output format\: table, json, jsonl, csv.]:format:'
        '--timeout[Seconds to wait for whsed'\''s answer (0\: forever).]:timeout:'
        '--idempotency-key[Idempotency key for a posting\: a retry with the same key never posts twice.]:idempotency-key:'
        '--retries[Retries after a lost connection (same idempotency key each time, so never a double posting).]:retries:'
        ':location:'
        ':bin:'
        '--item:item:'
        '--unit:unit:'
        '--min:min:'
        '--max[Max. quantity in the unit (0\: none).]:max:'
        '--fixed[Keep the bin content when it is empty.]'
        '--no-fixed[Keep the bin content when it is empty.]'
        '--default[The item'\''s default bin at the location.]'
        '--no-default[The item'\''s default bin at the location.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_whsectl_item() {
    local -i ret=1
    local -ar arg_specs=(
        '(-h --help)'{-h,--help}'[Show help information.]'
        '(-): :->command'
        '(-)*:: :->arg'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0
    case "${state}" in
    command)
        local -ar subcommands=(
            'create:Create an item (item.create).'
            'get:Show an item (item.get).'
            'list:List items (item.list).'
            'bins:Where an item is, per bin, the adjustment bin included (item.bins).'
            'availability:Inventory, stock in bins, adjustment bin and available quantity (item.availability).'
            'set-counting-period:Assign a counting period to an item; its next counting window holds --date (item.setCountingPeriod).'
            'block:Block (or --unblock) a lot or serial no.: it stays in stock but is not available to pick or reserve (itemTracking.setBlocked).'
        )
        _describe -V subcommand subcommands && ret=0
        ;;
    arg)
        case "${words[1]}" in
        create|get|list|bins|availability|set-counting-period|block)
            "_whsectl_item_${words[1]}" && ret=0
            ;;
        esac
        ;;
    esac

    return "${ret}"
}

_whsectl_item_create() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[whsed'\''s socket (default\: $WHSED_SOCKET, else ./whsed.sock).]:socket:'
        '--json[Print the result as one JSON document.]'
        '--format[Output format\: table, json, jsonl, csv.]:format:'
        '--timeout[Seconds to wait for whsed'\''s answer (0\: forever).]:timeout:'
        '--idempotency-key[Idempotency key for a posting\: a retry with the same key never posts twice.]:idempotency-key:'
        '--retries[Retries after a lost connection (same idempotency key each time, so never a double posting).]:retries:'
        ':no:'
        '--description:description:'
        '--base-unit[Base unit of measure.]:base-unit:'
        '*--unit[A further unit as CODE=QTY-PER-UNIT (repeatable).]:unit:'
        '*--rounding[A unit'\''s rounding precision as CODE=PRECISION, e.g. PCS=1 (repeatable).]:rounding:'
        '--lot-tracked[Lot warehouse tracking\: every line carries a lot no.]'
        '--serial-tracked[Serial warehouse tracking\: every line carries a serial no.]'
        '--expiration-required[A lot coming in needs an expiration date.]'
        '--warehouse-class[Warehouse class (bins of the same class only, where the location checks classes).]:warehouse-class:'
        '*--cubage[A unit'\''s cubage as CODE=CUBAGE (repeatable).]:cubage:'
        '*--weight[A unit'\''s weight as CODE=WEIGHT (repeatable).]:weight:'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_whsectl_item_get() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[whsed'\''s socket (default\: $WHSED_SOCKET, else ./whsed.sock).]:socket:'
        '--json[Print the result as one JSON document.]'
        '--format[Output format\: table, json, jsonl, csv.]:format:'
        '--timeout[Seconds to wait for whsed'\''s answer (0\: forever).]:timeout:'
        '--idempotency-key[Idempotency key for a posting\: a retry with the same key never posts twice.]:idempotency-key:'
        '--retries[Retries after a lost connection (same idempotency key each time, so never a double posting).]:retries:'
        ':no:'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_whsectl_item_list() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[whsed'\''s socket (default\: $WHSED_SOCKET, else ./whsed.sock).]:socket:'
        '--json[Print the result as one JSON document.]'
        '--format[Output format\: table, json, jsonl, csv.]:format:'
        '--timeout[Seconds to wait for whsed'\''s answer (0\: forever).]:timeout:'
        '--idempotency-key[Idempotency key for a posting\: a retry with the same key never posts twice.]:idempotency-key:'
        '--retries[Retries after a lost connection (same idempotency key each time, so never a double posting).]:retries:'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_whsectl_item_bins() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[whsed'\''s socket (default\: $WHSED_SOCKET, else ./whsed.sock).]:socket:'
        '--json[Print the result as one JSON document.]'
        '--format[Output format\: table, json, jsonl, csv.]:format:'
        '--timeout[Seconds to wait for whsed'\''s answer (0\: forever).]:timeout:'
        '--idempotency-key[Idempotency key for a posting\: a retry with the same key never posts twice.]:idempotency-key:'
        '--retries[Retries after a lost connection (same idempotency key each time, so never a double posting).]:retries:'
        ':item:'
        '--location:location:'
        '--include-zero'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_whsectl_item_availability() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[whsed'\''s socket (default\: $WHSED_SOCKET, else ./whsed.sock).]:socket:'
        '--json[Print the result as one JSON document.]'
        '--format[Output format\: table, json, jsonl, csv.]:format:'
        '--timeout[Seconds to wait for whsed'\''s answer (0\: forever).]:timeout:'
        '--idempotency-key[Idempotency key for a posting\: a retry with the same key never posts twice.]:idempotency-key:'
        '--retries[Retries after a lost connection (same idempotency key each time, so never a double posting).]:retries:'
        ':item:'
        '--location:location:'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_whsectl_item_set-counting-period() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[whsed'\''s socket (default\: $WHSED_SOCKET, else ./whsed.sock).]:socket:'
        '--json[Print the result as one JSON document.]'
        '--format[Output format\: table, json, jsonl, csv.]:format:'
        '--timeout[Seconds to wait for whsed'\''s answer (0\: forever).]:timeout:'
        '--idempotency-key[Idempotency key for a posting\: a retry with the same key never posts twice.]:idempotency-key:'
        '--retries[Retries after a lost connection (same idempotency key each time, so never a double posting).]:retries:'
        ':item:'
        '--period:period:'
        '--clear[Remove the item'\''s counting period.]'
        '--date[YYYY-MM-DD (default\: today).]:date:'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_whsectl_item_block() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[whsed'\''s socket (default\: $WHSED_SOCKET, else ./whsed.sock).]:socket:'
        '--json[Print the result as one JSON document.]'
        '--format[Output format\: table, json, jsonl, csv.]:format:'
        '--timeout[Seconds to wait for whsed'\''s answer (0\: forever).]:timeout:'
        '--idempotency-key[Idempotency key for a posting\: a retry with the same key never posts twice.]:idempotency-key:'
        '--retries[Retries after a lost connection (same idempotency key each time, so never a double posting).]:retries:'
        ':item:'
        '--lot:lot:'
        '--serial:serial:'
        '--unblock[Lift the block.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_whsectl_counting-period() {
    local -i ret=1
    local -ar arg_specs=(
        '(-h --help)'{-h,--help}'[Show help information.]'
        '(-): :->command'
        '(-)*:: :->arg'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0
    case "${state}" in
    command)
        local -ar subcommands=(
            'create:Create a counting period (countingPeriod.create).'
            'list:List counting periods (countingPeriod.list).'
            'due:Items due for counting on a date (countingPeriod.due); count them with --counting-period-due.'
        )
        _describe -V subcommand subcommands && ret=0
        ;;
    arg)
        case "${words[1]}" in
        create|list|due)
            "_whsectl_counting-period_${words[1]}" && ret=0
            ;;
        esac
        ;;
    esac

    return "${ret}"
}

_whsectl_counting-period_create() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[whsed'\''s socket (default\: $WHSED_SOCKET, else ./whsed.sock).]:socket:'
        '--json[Print the result as one JSON document.]'
        '--format[Output format\: table, json, jsonl, csv.]:format:'
        '--timeout[Seconds to wait for whsed'\''s answer (0\: forever).]:timeout:'
        '--idempotency-key[Idempotency key for a posting\: a retry with the same key never posts twice.]:idempotency-key:'
        '--retries[Retries after a lost connection (same idempotency key each time, so never a double posting).]:retries:'
        ':code:'
        '--frequency[Counts per year, 1…365 (1, 2, 3, 4, 6, 12\: month windows; 24\: half months; else day windows).]:frequency:'
        '--description:description:'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_whsectl_counting-period_list() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[whsed'\''s socket (default\: $WHSED_SOCKET, else ./whsed.sock).]:socket:'
        '--json[Print the result as one JSON document.]'
        '--format[Output format\: table, json, jsonl, csv.]:format:'
        '--timeout[Seconds to wait for whsed'\''s answer (0\: forever).]:timeout:'
        '--idempotency-key[Idempotency key for a posting\: a retry with the same key never posts twice.]:idempotency-key:'
        '--retries[Retries after a lost connection (same idempotency key each time, so never a double posting).]:retries:'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_whsectl_counting-period_due() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[whsed'\''s socket (default\: $WHSED_SOCKET, else ./whsed.sock).]:socket:'
        '--json[Print the result as one JSON document.]'
        '--format[Output format\: table, json, jsonl, csv.]:format:'
        '--timeout[Seconds to wait for whsed'\''s answer (0\: forever).]:timeout:'
        '--idempotency-key[Idempotency key for a posting\: a retry with the same key never posts twice.]:idempotency-key:'
        '--retries[Retries after a lost connection (same idempotency key each time, so never a double posting).]:retries:'
        '--date[YYYY-MM-DD (default\: today).]:date:'
        '--period:period:'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_whsectl_whse-journal() {
    local -i ret=1
    local -ar arg_specs=(
        '(-h --help)'{-h,--help}'[Show help information.]'
        '(-): :->command'
        '(-)*:: :->arg'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0
    case "${state}" in
    command)
        local -ar subcommands=(
            'register:Register a Whse. Item Journal (whseItemJournal.register): +q into a bin from the adjustment bin, -q back.'
            'reclass:Register a Whse. Reclassification Journal (whseReclassJournal.register): bin to bin.'
        )
        _describe -V subcommand subcommands && ret=0
        ;;
    arg)
        case "${words[1]}" in
        register|reclass)
            "_whsectl_whse-journal_${words[1]}" && ret=0
            ;;
        esac
        ;;
    esac

    return "${ret}"
}

_whsectl_whse-journal_register() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[whsed'\''s socket (default\: $WHSED_SOCKET, else ./whsed.sock).]:socket:'
        '--json[Print the result as one JSON document.]'
        '--format[Output format\: table, json, jsonl, csv.]:format:'
        '--timeout[Seconds to wait for whsed'\''s answer (0\: forever).]:timeout:'
        '--idempotency-key[Idempotency key for a posting\: a retry with the same key never posts twice.]:idempotency-key:'
        '--retries[Retries after a lost connection (same idempotency key each time, so never a double posting).]:retries:'
        ':location:'
        '--item:item:'
        '--bin:bin:'
        '--zone:zone:'
        '--quantity[Signed quantity\: positive adds to the bin, negative takes from it.]:quantity:'
        '--unit[Unit of measure (default\: the item'\''s base unit).]:unit:'
        '--lot[Lot no. (lot-tracked items).]:lot:'
        '--serial[Serial no. (serial-tracked items; quantity 1).]:serial:'
        '--expiration-date[Expiration date YYYY-MM-DD of a lot coming in.]:expiration-date:'
        '--document-no:document-no:'
        '--registering-date:registering-date:'
        '--file[CSV or JSON Lines file of lines ('\''-'\'' for stdin).]:file:'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_whsectl_whse-journal_reclass() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[whsed'\''s socket (default\: $WHSED_SOCKET, else ./whsed.sock).]:socket:'
        '--json[Print the result as one JSON document.]'
        '--format[Output format\: table, json, jsonl, csv.]:format:'
        '--timeout[Seconds to wait for whsed'\''s answer (0\: forever).]:timeout:'
        '--idempotency-key[Idempotency key for a posting\: a retry with the same key never posts twice.]:idempotency-key:'
        '--retries[Retries after a lost connection (same idempotency key each time, so never a double posting).]:retries:'
        ':location:'
        '--item:item:'
        '--from-bin:from-bin:'
        '--to-bin:to-bin:'
        '--quantity:quantity:'
        '--unit:unit:'
        '--lot:lot:'
        '--serial:serial:'
        '--new-lot[Reclassify into this lot no.]:new-lot:'
        '--new-serial[Reclassify into this serial no.]:new-serial:'
        '--new-expiration-date[Expiration date of the new lot.]:new-expiration-date:'
        '--document-no:document-no:'
        '--registering-date:registering-date:'
        '--file[CSV or JSON Lines file of lines ('\''-'\'' for stdin).]:file:'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_whsectl_item-journal() {
    local -i ret=1
    local -ar arg_specs=(
        '(-h --help)'{-h,--help}'[Show help information.]'
        '(-): :->command'
        '(-)*:: :->arg'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0
    case "${state}" in
    command)
        local -ar subcommands=(
            'post:Post item journal lines, or a batch made by calc-whse-adjustment (itemJournal.post).'
            'reclass:Post an Item Reclassification Journal (itemReclassJournal.post): bin, location or lot/serial changes at basic and plain locations.'
            'calc-whse-adjustment:Turn the adjustment bins'\'' content into item journal lines (itemJournal.calculateWhseAdjustment).'
            'show:Show a batch'\''s lines (itemJournal.get).'
            'delete:Delete a batch'\''s lines without posting (itemJournal.delete).'
        )
        _describe -V subcommand subcommands && ret=0
        ;;
    arg)
        case "${words[1]}" in
        post|reclass|calc-whse-adjustment|show|delete)
            "_whsectl_item-journal_${words[1]}" && ret=0
            ;;
        esac
        ;;
    esac

    return "${ret}"
}

_whsectl_item-journal_post() {
    local -i ret=1
    local -ar ___entry_type=('positiveAdjmt' 'negativeAdjmt' 'purchase' 'sale' 'movement' 'transfer')
    local -ar arg_specs=(
        '--socket[whsed'\''s socket (default\: $WHSED_SOCKET, else ./whsed.sock).]:socket:'
        '--json[Print the result as one JSON document.]'
        '--format[Output format\: table, json, jsonl, csv.]:format:'
        '--timeout[Seconds to wait for whsed'\''s answer (0\: forever).]:timeout:'
        '--idempotency-key[Idempotency key for a posting\: a retry with the same key never posts twice.]:idempotency-key:'
        '--retries[Retries after a lost connection (same idempotency key each time, so never a double posting).]:retries:'
        '--batch:batch:'
        '--entry-type:entry-type:{__whsectl_complete "${___entry_type[@]}"}'
        '--location:location:'
        '--bin:bin:'
        '--item:item:'
        '--quantity:quantity:'
        '--unit:unit:'
        '--lot[Lot no. (lot-tracked items).]:lot:'
        '--serial[Serial no. (serial-tracked items; quantity 1).]:serial:'
        '--expiration-date[Expiration date YYYY-MM-DD of a lot coming in.]:expiration-date:'
        '--document-no:document-no:'
        '--posting-date:posting-date:'
        '--file[CSV or JSON Lines file of lines ('\''-'\'' for stdin).]:file:'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_whsectl_item-journal_reclass() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[whsed'\''s socket (default\: $WHSED_SOCKET, else ./whsed.sock).]:socket:'
        '--json[Print the result as one JSON document.]'
        '--format[Output format\: table, json, jsonl, csv.]:format:'
        '--timeout[Seconds to wait for whsed'\''s answer (0\: forever).]:timeout:'
        '--idempotency-key[Idempotency key for a posting\: a retry with the same key never posts twice.]:idempotency-key:'
        '--retries[Retries after a lost connection (same idempotency key each time, so never a double posting).]:retries:'
        '--item:item:'
        '--location:location:'
        '--bin:bin:'
        '--new-location:new-location:'
        '--new-bin:new-bin:'
        '--quantity:quantity:'
        '--unit:unit:'
        '--lot:lot:'
        '--serial:serial:'
        '--new-lot[Reclassify into this lot no.]:new-lot:'
        '--new-serial[Reclassify into this serial no.]:new-serial:'
        '--new-expiration-date[Expiration date of the new lot.]:new-expiration-date:'
        '--document-no:document-no:'
        '--posting-date:posting-date:'
        '--file[CSV or JSON Lines file of lines ('\''-'\'' for stdin).]:file:'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_whsectl_item-journal_calc-whse-adjustment() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[whsed'\''s socket (default\: $WHSED_SOCKET, else ./whsed.sock).]:socket:'
        '--json[Print the result as one JSON document.]'
        '--format[Output format\: table, json, jsonl, csv.]:format:'
        '--timeout[Seconds to wait for whsed'\''s answer (0\: forever).]:timeout:'
        '--idempotency-key[Idempotency key for a posting\: a retry with the same key never posts twice.]:idempotency-key:'
        '--retries[Retries after a lost connection (same idempotency key each time, so never a double posting).]:retries:'
        '--batch:batch:'
        '--location:location:'
        '--item:item:'
        '--document-no:document-no:'
        '--posting-date:posting-date:'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_whsectl_item-journal_show() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[whsed'\''s socket (default\: $WHSED_SOCKET, else ./whsed.sock).]:socket:'
        '--json[Print the result as one JSON document.]'
        '--format[Output format\: table, json, jsonl, csv.]:format:'
        '--timeout[Seconds to wait for whsed'\''s answer (0\: forever).]:timeout:'
        '--idempotency-key[Idempotency key for a posting\: a retry with the same key never posts twice.]:idempotency-key:'
        '--retries[Retries after a lost connection (same idempotency key each time, so never a double posting).]:retries:'
        '--batch:batch:'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_whsectl_item-journal_delete() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[whsed'\''s socket (default\: $WHSED_SOCKET, else ./whsed.sock).]:socket:'
        '--json[Print the result as one JSON document.]'
        '--format[Output format\: table, json, jsonl, csv.]:format:'
        '--timeout[Seconds to wait for whsed'\''s answer (0\: forever).]:timeout:'
        '--idempotency-key[Idempotency key for a posting\: a retry with the same key never posts twice.]:idempotency-key:'
        '--retries[Retries after a lost connection (same idempotency key each time, so never a double posting).]:retries:'
        '--batch:batch:'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_whsectl_reservation() {
    local -i ret=1
    local -ar arg_specs=(
        '(-h --help)'{-h,--help}'[Show help information.]'
        '(-): :->command'
        '(-)*:: :->arg'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0
    case "${state}" in
    command)
        local -ar subcommands=(
            'create:Reserve stock (reservation.create); refused when more than is available to pick would be reserved.'
            'cancel:Cancel a reservation (reservation.cancel).'
            'list:List open reservations (reservation.list).'
        )
        _describe -V subcommand subcommands && ret=0
        ;;
    arg)
        case "${words[1]}" in
        create|cancel|list)
            "_whsectl_reservation_${words[1]}" && ret=0
            ;;
        esac
        ;;
    esac

    return "${ret}"
}

_whsectl_reservation_create() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[whsed'\''s socket (default\: $WHSED_SOCKET, else ./whsed.sock).]:socket:'
        '--json[Print the result as one JSON document.]'
        '--format[Output format\: table, json, jsonl, csv.]:format:'
        '--timeout[Seconds to wait for whsed'\''s answer (0\: forever).]:timeout:'
        '--idempotency-key[Idempotency key for a posting\: a retry with the same key never posts twice.]:idempotency-key:'
        '--retries[Retries after a lost connection (same idempotency key each time, so never a double posting).]:retries:'
        '--location:location:'
        '--item:item:'
        '--quantity:quantity:'
        '--unit:unit:'
        '--lot:lot:'
        '--serial:serial:'
        '--source[The document the stock is reserved for.]:source:'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_whsectl_reservation_cancel() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[whsed'\''s socket (default\: $WHSED_SOCKET, else ./whsed.sock).]:socket:'
        '--json[Print the result as one JSON document.]'
        '--format[Output format\: table, json, jsonl, csv.]:format:'
        '--timeout[Seconds to wait for whsed'\''s answer (0\: forever).]:timeout:'
        '--idempotency-key[Idempotency key for a posting\: a retry with the same key never posts twice.]:idempotency-key:'
        '--retries[Retries after a lost connection (same idempotency key each time, so never a double posting).]:retries:'
        ':reservation:'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_whsectl_reservation_list() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[whsed'\''s socket (default\: $WHSED_SOCKET, else ./whsed.sock).]:socket:'
        '--json[Print the result as one JSON document.]'
        '--format[Output format\: table, json, jsonl, csv.]:format:'
        '--timeout[Seconds to wait for whsed'\''s answer (0\: forever).]:timeout:'
        '--idempotency-key[Idempotency key for a posting\: a retry with the same key never posts twice.]:idempotency-key:'
        '--retries[Retries after a lost connection (same idempotency key each time, so never a double posting).]:retries:'
        '--location:location:'
        '--item:item:'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_whsectl_count() {
    local -i ret=1
    local -ar arg_specs=(
        '(-h --help)'{-h,--help}'[Show help information.]'
        '(-): :->command'
        '(-)*:: :->arg'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0
    case "${state}" in
    command)
        local -ar subcommands=(
            'calculate:Calculate a count journal: one line per bin content, quantity frozen (whsePhysInventory.calculate).'
            'list:Print the count list to count from (whsePhysInventory.get).'
            'journals:List open count journals (whsePhysInventory.list).'
            'enter:Enter counted quantities (whsePhysInventory.recordCounts); may be repeated, the last count wins.'
            'recalculate:Recalculate stale lines (whsePhysInventory.recalculate); their counts must be entered again.'
            'register:Register the count (whsePhysInventory.register): bins to counted, differences into the adjustment bin.'
            'delete:Delete a count journal without registering (whsePhysInventory.delete).'
        )
        _describe -V subcommand subcommands && ret=0
        ;;
    arg)
        case "${words[1]}" in
        calculate|list|journals|enter|recalculate|register|delete)
            "_whsectl_count_${words[1]}" && ret=0
            ;;
        esac
        ;;
    esac

    return "${ret}"
}

_whsectl_count_calculate() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[whsed'\''s socket (default\: $WHSED_SOCKET, else ./whsed.sock).]:socket:'
        '--json[Print the result as one JSON document.]'
        '--format[Output format\: table, json, jsonl, csv.]:format:'
        '--timeout[Seconds to wait for whsed'\''s answer (0\: forever).]:timeout:'
        '--idempotency-key[Idempotency key for a posting\: a retry with the same key never posts twice.]:idempotency-key:'
        '--retries[Retries after a lost connection (same idempotency key each time, so never a double posting).]:retries:'
        ':location:'
        '--journal:journal:'
        '--zone:zone:'
        '--bin:bin:'
        '--item:item:'
        '--document-no:document-no:'
        '--registering-date:registering-date:'
        '--include-zero[Include bin contents that are now zero (items not on inventory).]'
        '--blind[A blind count\: no answer about this journal shows the calculated quantities.]'
        '--counting-period-due[Only the items due in their counting period on the registering date (cycle count).]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_whsectl_count_list() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[whsed'\''s socket (default\: $WHSED_SOCKET, else ./whsed.sock).]:socket:'
        '--json[Print the result as one JSON document.]'
        '--format[Output format\: table, json, jsonl, csv.]:format:'
        '--timeout[Seconds to wait for whsed'\''s answer (0\: forever).]:timeout:'
        '--idempotency-key[Idempotency key for a posting\: a retry with the same key never posts twice.]:idempotency-key:'
        '--retries[Retries after a lost connection (same idempotency key each time, so never a double posting).]:retries:'
        ':journal:'
        '--blind[Hide the calculated quantities (blind count).]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_whsectl_count_journals() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[whsed'\''s socket (default\: $WHSED_SOCKET, else ./whsed.sock).]:socket:'
        '--json[Print the result as one JSON document.]'
        '--format[Output format\: table, json, jsonl, csv.]:format:'
        '--timeout[Seconds to wait for whsed'\''s answer (0\: forever).]:timeout:'
        '--idempotency-key[Idempotency key for a posting\: a retry with the same key never posts twice.]:idempotency-key:'
        '--retries[Retries after a lost connection (same idempotency key each time, so never a double posting).]:retries:'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_whsectl_count_enter() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[whsed'\''s socket (default\: $WHSED_SOCKET, else ./whsed.sock).]:socket:'
        '--json[Print the result as one JSON document.]'
        '--format[Output format\: table, json, jsonl, csv.]:format:'
        '--timeout[Seconds to wait for whsed'\''s answer (0\: forever).]:timeout:'
        '--idempotency-key[Idempotency key for a posting\: a retry with the same key never posts twice.]:idempotency-key:'
        '--retries[Retries after a lost connection (same idempotency key each time, so never a double posting).]:retries:'
        ':journal:'
        '--line:line:'
        '--bin:bin:'
        '--item:item:'
        '--unit:unit:'
        '--lot[Lot no. (lot-tracked items).]:lot:'
        '--serial[Serial no. (serial-tracked items; quantity 1).]:serial:'
        '--expiration-date[Expiration date YYYY-MM-DD of a lot coming in.]:expiration-date:'
        '--quantity:quantity:'
        '--file[CSV or JSON Lines file ('\''-'\'' for stdin).]:file:'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_whsectl_count_recalculate() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[whsed'\''s socket (default\: $WHSED_SOCKET, else ./whsed.sock).]:socket:'
        '--json[Print the result as one JSON document.]'
        '--format[Output format\: table, json, jsonl, csv.]:format:'
        '--timeout[Seconds to wait for whsed'\''s answer (0\: forever).]:timeout:'
        '--idempotency-key[Idempotency key for a posting\: a retry with the same key never posts twice.]:idempotency-key:'
        '--retries[Retries after a lost connection (same idempotency key each time, so never a double posting).]:retries:'
        ':journal:'
        '*--line[Line number (repeatable; default\: all lines).]:line:'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_whsectl_count_register() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[whsed'\''s socket (default\: $WHSED_SOCKET, else ./whsed.sock).]:socket:'
        '--json[Print the result as one JSON document.]'
        '--format[Output format\: table, json, jsonl, csv.]:format:'
        '--timeout[Seconds to wait for whsed'\''s answer (0\: forever).]:timeout:'
        '--idempotency-key[Idempotency key for a posting\: a retry with the same key never posts twice.]:idempotency-key:'
        '--retries[Retries after a lost connection (same idempotency key each time, so never a double posting).]:retries:'
        ':journal:'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_whsectl_count_delete() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[whsed'\''s socket (default\: $WHSED_SOCKET, else ./whsed.sock).]:socket:'
        '--json[Print the result as one JSON document.]'
        '--format[Output format\: table, json, jsonl, csv.]:format:'
        '--timeout[Seconds to wait for whsed'\''s answer (0\: forever).]:timeout:'
        '--idempotency-key[Idempotency key for a posting\: a retry with the same key never posts twice.]:idempotency-key:'
        '--retries[Retries after a lost connection (same idempotency key each time, so never a double posting).]:retries:'
        ':journal:'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_whsectl_phys-inventory() {
    local -i ret=1
    local -ar arg_specs=(
        '(-h --help)'{-h,--help}'[Show help information.]'
        '(-): :->command'
        '(-)*:: :->arg'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0
    case "${state}" in
    command)
        local -ar subcommands=(
            'calculate:Calculate a phys. inventory journal (physInventory.calculate).'
            'show:Show a phys. inventory journal (physInventory.get).'
            'enter:Enter counts at basic or plain locations (physInventory.recordCounts).'
            'recalculate:Recalculate stale lines (physInventory.recalculate).'
            'post:Post the journal (physInventory.post).'
            'delete:Delete the journal without posting (physInventory.delete).'
        )
        _describe -V subcommand subcommands && ret=0
        ;;
    arg)
        case "${words[1]}" in
        calculate|show|enter|recalculate|post|delete)
            "_whsectl_phys-inventory_${words[1]}" && ret=0
            ;;
        esac
        ;;
    esac

    return "${ret}"
}

_whsectl_phys-inventory_calculate() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[whsed'\''s socket (default\: $WHSED_SOCKET, else ./whsed.sock).]:socket:'
        '--json[Print the result as one JSON document.]'
        '--format[Output format\: table, json, jsonl, csv.]:format:'
        '--timeout[Seconds to wait for whsed'\''s answer (0\: forever).]:timeout:'
        '--idempotency-key[Idempotency key for a posting\: a retry with the same key never posts twice.]:idempotency-key:'
        '--retries[Retries after a lost connection (same idempotency key each time, so never a double posting).]:retries:'
        ':location:'
        '--journal:journal:'
        '--item:item:'
        '--bin:bin:'
        '--document-no:document-no:'
        '--posting-date:posting-date:'
        '--include-zero'
        '--counting-period-due[Only the items due in their counting period on the posting date (cycle count).]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_whsectl_phys-inventory_show() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[whsed'\''s socket (default\: $WHSED_SOCKET, else ./whsed.sock).]:socket:'
        '--json[Print the result as one JSON document.]'
        '--format[Output format\: table, json, jsonl, csv.]:format:'
        '--timeout[Seconds to wait for whsed'\''s answer (0\: forever).]:timeout:'
        '--idempotency-key[Idempotency key for a posting\: a retry with the same key never posts twice.]:idempotency-key:'
        '--retries[Retries after a lost connection (same idempotency key each time, so never a double posting).]:retries:'
        ':journal:'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_whsectl_phys-inventory_enter() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[whsed'\''s socket (default\: $WHSED_SOCKET, else ./whsed.sock).]:socket:'
        '--json[Print the result as one JSON document.]'
        '--format[Output format\: table, json, jsonl, csv.]:format:'
        '--timeout[Seconds to wait for whsed'\''s answer (0\: forever).]:timeout:'
        '--idempotency-key[Idempotency key for a posting\: a retry with the same key never posts twice.]:idempotency-key:'
        '--retries[Retries after a lost connection (same idempotency key each time, so never a double posting).]:retries:'
        ':journal:'
        '--line:line:'
        '--item:item:'
        '--bin:bin:'
        '--unit:unit:'
        '--lot:lot:'
        '--serial:serial:'
        '--quantity:quantity:'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_whsectl_phys-inventory_recalculate() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[whsed'\''s socket (default\: $WHSED_SOCKET, else ./whsed.sock).]:socket:'
        '--json[Print the result as one JSON document.]'
        '--format[Output format\: table, json, jsonl, csv.]:format:'
        '--timeout[Seconds to wait for whsed'\''s answer (0\: forever).]:timeout:'
        '--idempotency-key[Idempotency key for a posting\: a retry with the same key never posts twice.]:idempotency-key:'
        '--retries[Retries after a lost connection (same idempotency key each time, so never a double posting).]:retries:'
        ':journal:'
        '*--line:line:'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_whsectl_phys-inventory_post() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[whsed'\''s socket (default\: $WHSED_SOCKET, else ./whsed.sock).]:socket:'
        '--json[Print the result as one JSON document.]'
        '--format[Output format\: table, json, jsonl, csv.]:format:'
        '--timeout[Seconds to wait for whsed'\''s answer (0\: forever).]:timeout:'
        '--idempotency-key[Idempotency key for a posting\: a retry with the same key never posts twice.]:idempotency-key:'
        '--retries[Retries after a lost connection (same idempotency key each time, so never a double posting).]:retries:'
        ':journal:'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_whsectl_phys-inventory_delete() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[whsed'\''s socket (default\: $WHSED_SOCKET, else ./whsed.sock).]:socket:'
        '--json[Print the result as one JSON document.]'
        '--format[Output format\: table, json, jsonl, csv.]:format:'
        '--timeout[Seconds to wait for whsed'\''s answer (0\: forever).]:timeout:'
        '--idempotency-key[Idempotency key for a posting\: a retry with the same key never posts twice.]:idempotency-key:'
        '--retries[Retries after a lost connection (same idempotency key each time, so never a double posting).]:retries:'
        ':journal:'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_whsectl_entries() {
    local -i ret=1
    local -ar arg_specs=(
        '(-h --help)'{-h,--help}'[Show help information.]'
        '(-): :->command'
        '(-)*:: :->arg'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0
    case "${state}" in
    command)
        local -ar subcommands=(
            'warehouse:Warehouse entries (entries.warehouse).'
            'item:Item ledger entries (entries.item).'
            'phys:Phys. inventory ledger entries (entries.physInventory).'
            'follow:Follow the committed records (entries.follow), one JSON line per notification.'
        )
        _describe -V subcommand subcommands && ret=0
        ;;
    arg)
        case "${words[1]}" in
        warehouse|item|phys|follow)
            "_whsectl_entries_${words[1]}" && ret=0
            ;;
        esac
        ;;
    esac

    return "${ret}"
}

_whsectl_entries_warehouse() {
    local -i ret=1
    local -ar ___entry_type=('positiveAdjmt' 'negativeAdjmt' 'purchase' 'sale' 'movement' 'transfer')
    local -ar arg_specs=(
        '--socket[whsed'\''s socket (default\: $WHSED_SOCKET, else ./whsed.sock).]:socket:'
        '--json[Print the result as one JSON document.]'
        '--format[Output format\: table, json, jsonl, csv.]:format:'
        '--timeout[Seconds to wait for whsed'\''s answer (0\: forever).]:timeout:'
        '--idempotency-key[Idempotency key for a posting\: a retry with the same key never posts twice.]:idempotency-key:'
        '--retries[Retries after a lost connection (same idempotency key each time, so never a double posting).]:retries:'
        '--location:location:'
        '--bin:bin:'
        '--item:item:'
        '--entry-type[positiveAdjmt, negativeAdjmt, purchase, sale, movement, transfer.]:entry-type:{__whsectl_complete "${___entry_type[@]}"}'
        '--document-no:document-no:'
        '--lot:lot:'
        '--serial:serial:'
        '--from-date[Posting (registering) date from, YYYY-MM-DD, included.]:from-date:'
        '--to-date[Posting (registering) date to, YYYY-MM-DD, included.]:to-date:'
        '--from-entry[Entry number from, included.]:from-entry:'
        '--to-entry[Entry number to, included.]:to-entry:'
        '--after[Start after this entry number (paging).]:after:'
        '--limit[Entries per page (1…1000).]:limit:'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_whsectl_entries_item() {
    local -i ret=1
    local -ar ___entry_type=('positiveAdjmt' 'negativeAdjmt' 'purchase' 'sale' 'movement' 'transfer')
    local -ar arg_specs=(
        '--socket[whsed'\''s socket (default\: $WHSED_SOCKET, else ./whsed.sock).]:socket:'
        '--json[Print the result as one JSON document.]'
        '--format[Output format\: table, json, jsonl, csv.]:format:'
        '--timeout[Seconds to wait for whsed'\''s answer (0\: forever).]:timeout:'
        '--idempotency-key[Idempotency key for a posting\: a retry with the same key never posts twice.]:idempotency-key:'
        '--retries[Retries after a lost connection (same idempotency key each time, so never a double posting).]:retries:'
        '--location:location:'
        '--bin:bin:'
        '--item:item:'
        '--entry-type[positiveAdjmt, negativeAdjmt, purchase, sale, movement, transfer.]:entry-type:{__whsectl_complete "${___entry_type[@]}"}'
        '--document-no:document-no:'
        '--lot:lot:'
        '--serial:serial:'
        '--from-date[Posting (registering) date from, YYYY-MM-DD, included.]:from-date:'
        '--to-date[Posting (registering) date to, YYYY-MM-DD, included.]:to-date:'
        '--from-entry[Entry number from, included.]:from-entry:'
        '--to-entry[Entry number to, included.]:to-entry:'
        '--after[Start after this entry number (paging).]:after:'
        '--limit[Entries per page (1…1000).]:limit:'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_whsectl_entries_phys() {
    local -i ret=1
    local -ar ___entry_type=('positiveAdjmt' 'negativeAdjmt' 'purchase' 'sale' 'movement' 'transfer')
    local -ar arg_specs=(
        '--socket[whsed'\''s socket (default\: $WHSED_SOCKET, else ./whsed.sock).]:socket:'
        '--json[Print the result as one JSON document.]'
        '--format[Output format\: table, json, jsonl, csv.]:format:'
        '--timeout[Seconds to wait for whsed'\''s answer (0\: forever).]:timeout:'
        '--idempotency-key[Idempotency key for a posting\: a retry with the same key never posts twice.]:idempotency-key:'
        '--retries[Retries after a lost connection (same idempotency key each time, so never a double posting).]:retries:'
        '--location:location:'
        '--bin:bin:'
        '--item:item:'
        '--entry-type[positiveAdjmt, negativeAdjmt, purchase, sale, movement, transfer.]:entry-type:{__whsectl_complete "${___entry_type[@]}"}'
        '--document-no:document-no:'
        '--lot:lot:'
        '--serial:serial:'
        '--from-date[Posting (registering) date from, YYYY-MM-DD, included.]:from-date:'
        '--to-date[Posting (registering) date to, YYYY-MM-DD, included.]:to-date:'
        '--from-entry[Entry number from, included.]:from-entry:'
        '--to-entry[Entry number to, included.]:to-entry:'
        '--after[Start after this entry number (paging).]:after:'
        '--limit[Entries per page (1…1000).]:limit:'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_whsectl_entries_follow() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[whsed'\''s socket (default\: $WHSED_SOCKET, else ./whsed.sock).]:socket:'
        '--json[Print the result as one JSON document.]'
        '--format[Output format\: table, json, jsonl, csv.]:format:'
        '--timeout[Seconds to wait for whsed'\''s answer (0\: forever).]:timeout:'
        '--idempotency-key[Idempotency key for a posting\: a retry with the same key never posts twice.]:idempotency-key:'
        '--retries[Retries after a lost connection (same idempotency key each time, so never a double posting).]:retries:'
        '--after[Start after this sequence number (the last one already processed).]:after:'
        '--epoch[The log epoch --after belongs to; another epoch is refused (log_epoch_changed).]:epoch:'
        '--once[Print what is committed when the stream starts, then exit.]'
        '--heartbeats[Print the heartbeats too.]'
        '--heartbeat-millis[Milliseconds between heartbeats (100-60000).]:heartbeat-millis:'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_whsectl_server() {
    local -i ret=1
    local -ar arg_specs=(
        '(-h --help)'{-h,--help}'[Show help information.]'
        '(-): :->command'
        '(-)*:: :->arg'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0
    case "${state}" in
    command)
        local -ar subcommands=(
            'status:Counters, log and limits (server.status).'
            'metrics:Print the metrics as Prometheus text (server.metrics).'
            'verify:Check the ledger invariants (server.verify); exit 1 on a violation.'
            'checkpoint:Write a snapshot now (server.checkpoint).'
            'backup:Write a consistent backup of the books into a new folder while whsed serves (server.backup).'
        )
        _describe -V subcommand subcommands && ret=0
        ;;
    arg)
        case "${words[1]}" in
        status|metrics|verify|checkpoint|backup)
            "_whsectl_server_${words[1]}" && ret=0
            ;;
        esac
        ;;
    esac

    return "${ret}"
}

_whsectl_server_status() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[whsed'\''s socket (default\: $WHSED_SOCKET, else ./whsed.sock).]:socket:'
        '--json[Print the result as one JSON document.]'
        '--format[Output format\: table, json, jsonl, csv.]:format:'
        '--timeout[Seconds to wait for whsed'\''s answer (0\: forever).]:timeout:'
        '--idempotency-key[Idempotency key for a posting\: a retry with the same key never posts twice.]:idempotency-key:'
        '--retries[Retries after a lost connection (same idempotency key each time, so never a double posting).]:retries:'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_whsectl_server_metrics() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[whsed'\''s socket (default\: $WHSED_SOCKET, else ./whsed.sock).]:socket:'
        '--json[Print the result as one JSON document.]'
        '--format[Output format\: table, json, jsonl, csv.]:format:'
        '--timeout[Seconds to wait for whsed'\''s answer (0\: forever).]:timeout:'
        '--idempotency-key[Idempotency key for a posting\: a retry with the same key never posts twice.]:idempotency-key:'
        '--retries[Retries after a lost connection (same idempotency key each time, so never a double posting).]:retries:'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_whsectl_server_verify() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[whsed'\''s socket (default\: $WHSED_SOCKET, else ./whsed.sock).]:socket:'
        '--json[Print the result as one JSON document.]'
        '--format[Output format\: table, json, jsonl, csv.]:format:'
        '--timeout[Seconds to wait for whsed'\''s answer (0\: forever).]:timeout:'
        '--idempotency-key[Idempotency key for a posting\: a retry with the same key never posts twice.]:idempotency-key:'
        '--retries[Retries after a lost connection (same idempotency key each time, so never a double posting).]:retries:'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_whsectl_server_checkpoint() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[whsed'\''s socket (default\: $WHSED_SOCKET, else ./whsed.sock).]:socket:'
        '--json[Print the result as one JSON document.]'
        '--format[Output format\: table, json, jsonl, csv.]:format:'
        '--timeout[Seconds to wait for whsed'\''s answer (0\: forever).]:timeout:'
        '--idempotency-key[Idempotency key for a posting\: a retry with the same key never posts twice.]:idempotency-key:'
        '--retries[Retries after a lost connection (same idempotency key each time, so never a double posting).]:retries:'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_whsectl_server_backup() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[whsed'\''s socket (default\: $WHSED_SOCKET, else ./whsed.sock).]:socket:'
        '--json[Print the result as one JSON document.]'
        '--format[Output format\: table, json, jsonl, csv.]:format:'
        '--timeout[Seconds to wait for whsed'\''s answer (0\: forever).]:timeout:'
        '--idempotency-key[Idempotency key for a posting\: a retry with the same key never posts twice.]:idempotency-key:'
        '--retries[Retries after a lost connection (same idempotency key each time, so never a double posting).]:retries:'
        ':destination:'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_whsectl_call() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[whsed'\''s socket (default\: $WHSED_SOCKET, else ./whsed.sock).]:socket:'
        '--json[Print the result as one JSON document.]'
        '--format[Output format\: table, json, jsonl, csv.]:format:'
        '--timeout[Seconds to wait for whsed'\''s answer (0\: forever).]:timeout:'
        '--idempotency-key[Idempotency key for a posting\: a retry with the same key never posts twice.]:idempotency-key:'
        '--retries[Retries after a lost connection (same idempotency key each time, so never a double posting).]:retries:'
        ':method:'
        ':params:'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_whsectl_help() {
    local -i ret=1
    local -ar arg_specs=(
        '*:subcommands:'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

if [[ "${funcstack[1]}" = _whsectl ]]; then
    _whsectl "${@}"
else
    compdef _whsectl whsectl
fi
