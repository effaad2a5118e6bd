#!/bin/bash

__whsectl_cursor_index_in_current_word() {
    local remaining="${COMP_LINE}"

    local word
    for word in "${COMP_WORDS[@]::COMP_CWORD}"; do
        remaining="${remaining##*([[:space:]])"${word}"*([[:space:]])}"
    done

    local -ir index="$((COMP_POINT - ${#COMP_LINE} + ${#remaining}))"
    if [[ "${index}" -le 0 ]]; then
        printf 0
    else
        printf %s "${index}"
    fi
}

# positional arguments:
#
# - 1: the current (sub)command's count of positional arguments
#
# required variables:
#
# - repeating_flags: the repeating flags that the current (sub)command can accept
# - non_repeating_flags: the non-repeating flags that the current (sub)command can accept
# - repeating_options: the repeating options that the current (sub)command can accept
# - non_repeating_options: the non-repeating options that the current (sub)command can accept
# - positional_number: value ignored
# - unparsed_words: unparsed words from the current command line
#
# modified variables:
#
# - non_repeating_flags: remove flags for this (sub)command that are already on the command line
# - non_repeating_options: remove options for this (sub)command that are already on the command line
# - positional_number: set to the current positional number
# - unparsed_words: remove all flags, options, and option values for this (sub)command
__whsectl_offer_flags_options() {
    local -ir positional_count="${1}"
    positional_number=0

    local was_flag_option_terminator_seen=false
    local is_parsing_option_value=false

    local -ar unparsed_word_indices=("${!unparsed_words[@]}")
    local -i word_index
    for word_index in "${unparsed_word_indices[@]}"; do
        if "${is_parsing_option_value}"; then
            # This word is an option value:
            # Reset marker for next word iff not currently the last word
            [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]] && is_parsing_option_value=false
            unset "unparsed_words[${word_index}]"
            # Do not process this word as a flag or an option
            continue
        fi

        local word="${unparsed_words["${word_index}"]}"
        if ! "${was_flag_option_terminator_seen}"; then
            case "${word}" in
            --)
                unset "unparsed_words[${word_index}]"
                # by itself -- is a flag/option terminator, but if it is the last word, it is the start of a completion
                if [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]]; then
                    was_flag_option_terminator_seen=true
                fi
                continue
                ;;
            -*)
                # ${word} is a flag or an option
                # If ${word} is an option, mark that the next word to be parsed is an option value
                local option
                for option in "${repeating_options[@]}" "${non_repeating_options[@]}"; do
                    [[ "${word}" = "${option}" ]] && is_parsing_option_value=true && break
                done

                # Remove ${word} from ${non_repeating_flags} or ${non_repeating_options} so it isn't offered again
                local not_found=true
                local -i index
                for index in "${!non_repeating_flags[@]}"; do
                    if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                        unset "non_repeating_flags[${index}]"
                        non_repeating_flags=("${non_repeating_flags[@]}")
                        not_found=false
                        break
                    fi
                done
                if "${not_found}"; then
                    for index in "${!non_repeating_flags[@]}"; do
                        if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                            unset "non_repeating_flags[${index}]"
                            non_repeating_flags=("${non_repeating_flags[@]}")
                            break
                        fi
                    done
                fi
                unset "unparsed_words[${word_index}]"
                continue
                ;;
            esac
        fi

        # ${word} is neither a flag, nor an option, nor an option value
        if [[ "${positional_number}" -lt "${positional_count}" || "${positional_count}" -lt 0 ]]; then
            # ${word} is a positional
            ((positional_number++))
            unset "unparsed_words[${word_index}]"
        else
            if [[ -z "${word}" ]]; then
                # Could be completing a flag, option, or subcommand
                positional_number=-1
            else
                # ${word} is a subcommand or invalid, so stop processing this (sub)command
                positional_number=-2
            fi
            break
        fi
    done

    unparsed_words=("${unparsed_words[@]}")

    if\
        ! "${was_flag_option_terminator_seen}"\
        && ! "${is_parsing_option_value}"\
        && [[ ("${cur}" = -* && "${positional_number}" -ge 0) || "${positional_number}" -eq -1 ]]
    then
        COMPREPLY+=($(compgen -W "${repeating_flags[*]} ${non_repeating_flags[*]} ${repeating_options[*]} ${non_repeating_options[*]}" -- "${cur}"))
    fi
}

__whsectl_add_completions() {
    local completion
    while IFS='' read -r completion; do
        COMPREPLY+=("${completion}")
    done < <(IFS=$'\n' compgen "${@}" -- "${cur}")
}

__whsectl_custom_complete() {
    if [[ -n "${cur}" || -z ${COMP_WORDS[${COMP_CWORD}]} || "${COMP_LINE:${COMP_POINT}:1}" != ' ' ]]; then
        local -ar words=("${COMP_WORDS[@]}")
    else
        local -ar words=("${COMP_WORDS[@]::${COMP_CWORD}}" '' "${COMP_WORDS[@]:${COMP_CWORD}}")
    fi

    "${COMP_WORDS[0]}" "${@}" "${words[@]}"
}

_whsectl() {
    local state
    state="$(shopt -p;shopt -po)"
    trap "${state//$'\n'/;}" RETURN
    shopt -s extglob
    set +o history +o posix

    local -xr SAP_SHELL=bash
    local -x SAP_SHELL_VERSION
    SAP_SHELL_VERSION="$(IFS='.';printf %s "${BASH_VERSINFO[*]}")"
    local -r SAP_SHELL_VERSION

    local -r cur="${2}"
    local -r prev="${3}"

    local -i positional_number
    local -a unparsed_words=("${COMP_WORDS[@]:1:${COMP_CWORD}}")

    local -a repeating_flags=()
    local -a non_repeating_flags=(--json -h --help)
    local -a repeating_options=()
    local -a non_repeating_options=(--socket --format --timeout --idempotency-key --retries)
    __whsectl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--format')
        return
        ;;
    '--timeout')
        return
        ;;
    '--idempotency-key')
        return
        ;;
    '--retries')
        return
        ;;
    esac

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    location|zone|bin|item|counting-period|whse-journal|item-journal|reservation|count|phys-inventory|entries|server|call|help)
        # Offer subcommand argument completions
        "_whsectl_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'location zone bin item counting-period whse-journal item-journal reservation count phys-inventory entries server call help' -- "${cur}"))
        ;;
    esac
}

_whsectl_location() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=()
    __whsectl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    create|update|get|list|convert)
        # Offer subcommand argument completions
        "_whsectl_location_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'create update get list convert' -- "${cur}"))
        ;;
    esac
}

_whsectl_location_create() {
    repeating_flags=()
    non_repeating_flags=(--json --check-warehouse-class --allow-negative-inventory -h --help)
    repeating_options=()
    non_repeating_options=(--socket --format --timeout --idempotency-key --retries --name --kind --adjustment-bin --adjustment-zone --bin-capacity-policy)
    __whsectl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--format')
        return
        ;;
    '--timeout')
        return
        ;;
    '--idempotency-key')
        return
        ;;
    '--retries')
        return
        ;;
    '--name')
        return
        ;;
    '--kind')
        __whsectl_add_completions -W 'directed'$'\n''basic'$'\n''plain'
        return
        ;;
    '--adjustment-bin')
        return
        ;;
    '--adjustment-zone')
        return
        ;;
    '--bin-capacity-policy')
        __whsectl_add_completions -W 'never'$'\n''allowMore'$'\n''prohibitMore'
        return
        ;;
    esac
}

_whsectl_location_update() {
    repeating_flags=()
    non_repeating_flags=(--json --check-warehouse-class --no-check-warehouse-class --allow-negative-inventory --no-allow-negative-inventory -h --help)
    repeating_options=()
    non_repeating_options=(--socket --format --timeout --idempotency-key --retries --name --bin-capacity-policy)
    __whsectl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--format')
        return
        ;;
    '--timeout')
        return
        ;;
    '--idempotency-key')
        return
        ;;
    '--retries')
        return
        ;;
    '--name')
        return
        ;;
    '--bin-capacity-policy')
        __whsectl_add_completions -W 'never'$'\n''allowMore'$'\n''prohibitMore'
        return
        ;;
    esac
}

_whsectl_location_get() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--socket --format --timeout --idempotency-key --retries)
    __whsectl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--format')
        return
        ;;
    '--timeout')
        return
        ;;
    '--idempotency-key')
        return
        ;;
    '--retries')
        return
        ;;
    esac
}

_whsectl_location_list() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--socket --format --timeout --idempotency-key --retries)
    __whsectl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--format')
        return
        ;;
    '--timeout')
        return
        ;;
    '--idempotency-key')
        return
        ;;
    '--retries')
        return
        ;;
    esac
}

_whsectl_location_convert() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--socket --format --timeout --idempotency-key --retries --adjustment-bin --adjustment-zone)
    __whsectl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--format')
        return
        ;;
    '--timeout')
        return
        ;;
    '--idempotency-key')
        return
        ;;
    '--retries')
        return
        ;;
    '--adjustment-bin')
        return
        ;;
    '--adjustment-zone')
        return
        ;;
    esac
}

_whsectl_zone() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=()
    __whsectl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    create|list)
        # Offer subcommand argument completions
        "_whsectl_zone_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'create list' -- "${cur}"))
        ;;
    esac
}

_whsectl_zone_create() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--socket --format --timeout --idempotency-key --retries --bin-type --warehouse-class --description)
    __whsectl_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--format')
        return
        ;;
    '--timeout')
        return
        ;;
    '--idempotency-key')
        return
        ;;
    '--retries')
        return
        ;;
    '--bin-type')
        return
        ;;
    '--warehouse-class')
        return
        ;;
    '--description')
        return
        ;;
    esac
}

_whsectl_zone_list() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--socket --format --timeout --idempotency-key --retries)
    __whsectl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--format')
        return
        ;;
    '--timeout')
        return
        ;;
    '--idempotency-key')
        return
        ;;
    '--retries')
        return
        ;;
    esac
}

_whsectl_bin() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=()
    __whsectl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    create|update|list|contents|setup-content)
        # Offer subcommand argument completions
        "_whsectl_bin_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'create update list contents setup-content' -- "${cur}"))
        ;;
    esac
}

_whsectl_bin_create() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--socket --format --timeout --idempotency-key --retries --zone --bin-type --block --maximum-cubage --maximum-weight --warehouse-class --description)
    __whsectl_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--format')
        return
        ;;
    '--timeout')
        return
        ;;
    '--idempotency-key')
        return
        ;;
    '--retries')
        return
        ;;
    '--zone')
        return
        ;;
    '--bin-type')
        return
        ;;
    '--block')
        __whsectl_add_completions -W 'none'$'\n''inbound'$'\n''outbound'$'\n''all'
        return
        ;;
    '--maximum-cubage')
        return
        ;;
    '--maximum-weight')
        return
        ;;
    '--warehouse-class')
        return
        ;;
    '--description')
        return
        ;;
    esac
}

_whsectl_bin_update() {
    repeating_flags=()
    non_repeating_flags=(--json --clear-warehouse-class -h --help)
    repeating_options=()
    non_repeating_options=(--socket --format --timeout --idempotency-key --retries --block --bin-type --description --maximum-cubage --maximum-weight --warehouse-class)
    __whsectl_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--format')
        return
        ;;
    '--timeout')
        return
        ;;
    '--idempotency-key')
        return
        ;;
    '--retries')
        return
        ;;
    '--block')
        __whsectl_add_completions -W 'none'$'\n''inbound'$'\n''outbound'$'\n''all'
        return
        ;;
    '--bin-type')
        return
        ;;
    '--description')
        return
        ;;
    '--maximum-cubage')
        return
        ;;
    '--maximum-weight')
        return
        ;;
    '--warehouse-class')
        return
        ;;
    esac
}

_whsectl_bin_list() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--socket --format --timeout --idempotency-key --retries --zone)
    __whsectl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--format')
        return
        ;;
    '--timeout')
        return
        ;;
    '--idempotency-key')
        return
        ;;
    '--retries')
        return
        ;;
    '--zone')
        return
        ;;
    esac
}

_whsectl_bin_contents() {
    repeating_flags=()
    non_repeating_flags=(--json --include-zero -h --help)
    repeating_options=()
    non_repeating_options=(--socket --format --timeout --idempotency-key --retries)
    __whsectl_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--format')
        return
        ;;
    '--timeout')
        return
        ;;
    '--idempotency-key')
        return
        ;;
    '--retries')
        return
        ;;
    esac
}

_whsectl_bin_setup-content() {
    repeating_flags=()
    non_repeating_flags=(--json --fixed --no-fixed --default --no-default -h --help)
    repeating_options=()
    non_repeating_options=(--socket --format --timeout --idempotency-key --retries --item --unit --min --max)
    __whsectl_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--format')
        return
        ;;
    '--timeout')
        return
        ;;
    '--idempotency-key')
        return
        ;;
    '--retries')
        return
        ;;
    '--item')
        return
        ;;
    '--unit')
        return
        ;;
    '--min')
        return
        ;;
    '--max')
        return
        ;;
    esac
}

_whsectl_item() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=()
    __whsectl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    create|get|list|bins|availability|set-counting-period|block)
        # Offer subcommand argument completions
        "_whsectl_item_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'create get list bins availability set-counting-period block' -- "${cur}"))
        ;;
    esac
}

_whsectl_item_create() {
    repeating_flags=()
    non_repeating_flags=(--json --lot-tracked --serial-tracked --expiration-required -h --help)
    repeating_options=(--unit --rounding --cubage --weight)
    non_repeating_options=(--socket --format --timeout --idempotency-key --retries --description --base-unit --warehouse-class)
    __whsectl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--format')
        return
        ;;
    '--timeout')
        return
        ;;
    '--idempotency-key')
        return
        ;;
    '--retries')
        return
        ;;
    '--description')
        return
        ;;
    '--base-unit')
        return
        ;;
    '--unit')
        return
        ;;
    '--rounding')
        return
        ;;
    '--warehouse-class')
        return
        ;;
    '--cubage')
        return
        ;;
    '--weight')
        return
        ;;
    esac
}

_whsectl_item_get() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--socket --format --timeout --idempotency-key --retries)
    __whsectl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--format')
        return
        ;;
    '--timeout')
        return
        ;;
    '--idempotency-key')
        return
        ;;
    '--retries')
        return
        ;;
    esac
}

_whsectl_item_list() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--socket --format --timeout --idempotency-key --retries)
    __whsectl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--format')
        return
        ;;
    '--timeout')
        return
        ;;
    '--idempotency-key')
        return
        ;;
    '--retries')
        return
        ;;
    esac
}

_whsectl_item_bins() {
    repeating_flags=()
    non_repeating_flags=(--json --include-zero -h --help)
    repeating_options=()
    non_repeating_options=(--socket --format --timeout --idempotency-key --retries --location)
    __whsectl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--format')
        return
        ;;
    '--timeout')
        return
        ;;
    '--idempotency-key')
        return
        ;;
    '--retries')
        return
        ;;
    '--location')
        return
        ;;
    esac
}

_whsectl_item_availability() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--socket --format --timeout --idempotency-key --retries --location)
    __whsectl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--format')
        return
        ;;
    '--timeout')
        return
        ;;
    '--idempotency-key')
        return
        ;;
    '--retries')
        return
        ;;
    '--location')
        return
        ;;
    esac
}

_whsectl_item_set-counting-period() {
    repeating_flags=()
    non_repeating_flags=(--json --clear -h --help)
    repeating_options=()
    non_repeating_options=(--socket --format --timeout --idempotency-key --retries --period --date)
    __whsectl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--format')
        return
        ;;
    '--timeout')
        return
        ;;
    '--idempotency-key')
        return
        ;;
    '--retries')
        return
        ;;
    '--period')
        return
        ;;
    '--date')
        return
        ;;
    esac
}

_whsectl_item_block() {
    repeating_flags=()
    non_repeating_flags=(--json --unblock -h --help)
    repeating_options=()
    non_repeating_options=(--socket --format --timeout --idempotency-key --retries --lot --serial)
    __whsectl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--format')
        return
        ;;
    '--timeout')
        return
        ;;
    '--idempotency-key')
        return
        ;;
    '--retries')
        return
        ;;
    '--lot')
        return
        ;;
    '--serial')
        return
        ;;
    esac
}

_whsectl_counting-period() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=()
    __whsectl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    create|list|due)
        # Offer subcommand argument completions
        "_whsectl_counting-period_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'create list due' -- "${cur}"))
        ;;
    esac
}

_whsectl_counting-period_create() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--socket --format --timeout --idempotency-key --retries --frequency --description)
    __whsectl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--format')
        return
        ;;
    '--timeout')
        return
        ;;
    '--idempotency-key')
        return
        ;;
    '--retries')
        return
        ;;
    '--frequency')
        return
        ;;
    '--description')
        return
        ;;
    esac
}

_whsectl_counting-period_list() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--socket --format --timeout --idempotency-key --retries)
    __whsectl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--format')
        return
        ;;
    '--timeout')
        return
        ;;
    '--idempotency-key')
        return
        ;;
    '--retries')
        return
        ;;
    esac
}

_whsectl_counting-period_due() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--socket --format --timeout --idempotency-key --retries --date --period)
    __whsectl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--format')
        return
        ;;
    '--timeout')
        return
        ;;
    '--idempotency-key')
        return
        ;;
    '--retries')
        return
        ;;
    '--date')
        return
        ;;
    '--period')
        return
        ;;
    esac
}

_whsectl_whse-journal() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=()
    __whsectl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    register|reclass)
        # Offer subcommand argument completions
        "_whsectl_whse-journal_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'register reclass' -- "${cur}"))
        ;;
    esac
}

_whsectl_whse-journal_register() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--socket --format --timeout --idempotency-key --retries --item --bin --zone --quantity --unit --lot --serial --expiration-date --document-no --registering-date --file)
    __whsectl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--format')
        return
        ;;
    '--timeout')
        return
        ;;
    '--idempotency-key')
        return
        ;;
    '--retries')
        return
        ;;
    '--item')
        return
        ;;
    '--bin')
        return
        ;;
    '--zone')
        return
        ;;
    '--quantity')
        return
        ;;
    '--unit')
        return
        ;;
    '--lot')
        return
        ;;
    '--serial')
        return
        ;;
    '--expiration-date')
        return
        ;;
    '--document-no')
        return
        ;;
    '--registering-date')
        return
        ;;
    '--file')
        return
        ;;
    esac
}

_whsectl_whse-journal_reclass() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--socket --format --timeout --idempotency-key --retries --item --from-bin --to-bin --quantity --unit --lot --serial --new-lot --new-serial --new-expiration-date --document-no --registering-date --file)
    __whsectl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--format')
        return
        ;;
    '--timeout')
        return
        ;;
    '--idempotency-key')
        return
        ;;
    '--retries')
        return
        ;;
    '--item')
        return
        ;;
    '--from-bin')
        return
        ;;
    '--to-bin')
        return
        ;;
    '--quantity')
        return
        ;;
    '--unit')
        return
        ;;
    '--lot')
        return
        ;;
    '--serial')
        return
        ;;
    '--new-lot')
        return
        ;;
    '--new-serial')
        return
        ;;
    '--new-expiration-date')
        return
        ;;
    '--document-no')
        return
        ;;
    '--registering-date')
        return
        ;;
    '--file')
        return
        ;;
    esac
}

_whsectl_item-journal() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=()
    __whsectl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    post|reclass|calc-whse-adjustment|show|delete)
        # Offer subcommand argument completions
        "_whsectl_item-journal_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'post reclass calc-whse-adjustment show delete' -- "${cur}"))
        ;;
    esac
}

_whsectl_item-journal_post() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--socket --format --timeout --idempotency-key --retries --batch --entry-type --location --bin --item --quantity --unit --lot --serial --expiration-date --document-no --posting-date --file)
    __whsectl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--format')
        return
        ;;
    '--timeout')
        return
        ;;
    '--idempotency-key')
        return
        ;;
    '--retries')
        return
        ;;
    '--batch')
        return
        ;;
    '--entry-type')
        __whsectl_add_completions -W 'positiveAdjmt'$'\n''negativeAdjmt'$'\n''purchase'$'\n''sale'$'\n''movement'$'\n''transfer'
        return
        ;;
    '--location')
        return
        ;;
    '--bin')
        return
        ;;
    '--item')
        return
        ;;
    '--quantity')
        return
        ;;
    '--unit')
        return
        ;;
    '--lot')
        return
        ;;
    '--serial')
        return
        ;;
    '--expiration-date')
        return
        ;;
    '--document-no')
        return
        ;;
    '--posting-date')
        return
        ;;
    '--file')
        return
        ;;
    esac
}

_whsectl_item-journal_reclass() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--socket --format --timeout --idempotency-key --retries --item --location --bin --new-location --new-bin --quantity --unit --lot --serial --new-lot --new-serial --new-expiration-date --document-no --posting-date --file)
    __whsectl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--format')
        return
        ;;
    '--timeout')
        return
        ;;
    '--idempotency-key')
        return
        ;;
    '--retries')
        return
        ;;
    '--item')
        return
        ;;
    '--location')
        return
        ;;
    '--bin')
        return
        ;;
    '--new-location')
        return
        ;;
    '--new-bin')
        return
        ;;
    '--quantity')
        return
        ;;
    '--unit')
        return
        ;;
    '--lot')
        return
        ;;
    '--serial')
        return
        ;;
    '--new-lot')
        return
        ;;
    '--new-serial')
        return
        ;;
    '--new-expiration-date')
        return
        ;;
    '--document-no')
        return
        ;;
    '--posting-date')
        return
        ;;
    '--file')
        return
        ;;
    esac
}

_whsectl_item-journal_calc-whse-adjustment() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--socket --format --timeout --idempotency-key --retries --batch --location --item --document-no --posting-date)
    __whsectl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--format')
        return
        ;;
    '--timeout')
        return
        ;;
    '--idempotency-key')
        return
        ;;
    '--retries')
        return
        ;;
    '--batch')
        return
        ;;
    '--location')
        return
        ;;
    '--item')
        return
        ;;
    '--document-no')
        return
        ;;
    '--posting-date')
        return
        ;;
    esac
}

_whsectl_item-journal_show() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--socket --format --timeout --idempotency-key --retries --batch)
    __whsectl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--format')
        return
        ;;
    '--timeout')
        return
        ;;
    '--idempotency-key')
        return
        ;;
    '--retries')
        return
        ;;
    '--batch')
        return
        ;;
    esac
}

_whsectl_item-journal_delete() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--socket --format --timeout --idempotency-key --retries --batch)
    __whsectl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--format')
        return
        ;;
    '--timeout')
        return
        ;;
    '--idempotency-key')
        return
        ;;
    '--retries')
        return
        ;;
    '--batch')
        return
        ;;
    esac
}

_whsectl_reservation() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=()
    __whsectl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    create|cancel|list)
        # Offer subcommand argument completions
        "_whsectl_reservation_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'create cancel list' -- "${cur}"))
        ;;
    esac
}

_whsectl_reservation_create() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--socket --format --timeout --idempotency-key --retries --location --item --quantity --unit --lot --serial --source)
    __whsectl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--format')
        return
        ;;
    '--timeout')
        return
        ;;
    '--idempotency-key')
        return
        ;;
    '--retries')
        return
        ;;
    '--location')
        return
        ;;
    '--item')
        return
        ;;
    '--quantity')
        return
        ;;
    '--unit')
        return
        ;;
    '--lot')
        return
        ;;
    '--serial')
        return
        ;;
    '--source')
        return
        ;;
    esac
}

_whsectl_reservation_cancel() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--socket --format --timeout --idempotency-key --retries)
    __whsectl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--format')
        return
        ;;
    '--timeout')
        return
        ;;
    '--idempotency-key')
        return
        ;;
    '--retries')
        return
        ;;
    esac
}

_whsectl_reservation_list() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--socket --format --timeout --idempotency-key --retries --location --item)
    __whsectl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--format')
        return
        ;;
    '--timeout')
        return
        ;;
    '--idempotency-key')
        return
        ;;
    '--retries')
        return
        ;;
    '--location')
        return
        ;;
    '--item')
        return
        ;;
    esac
}

_whsectl_count() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=()
    __whsectl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    calculate|list|journals|enter|recalculate|register|delete)
        # Offer subcommand argument completions
        "_whsectl_count_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'calculate list journals enter recalculate register delete' -- "${cur}"))
        ;;
    esac
}

_whsectl_count_calculate() {
    repeating_flags=()
    non_repeating_flags=(--json --include-zero --blind --counting-period-due -h --help)
    repeating_options=()
    non_repeating_options=(--socket --format --timeout --idempotency-key --retries --journal --zone --bin --item --document-no --registering-date)
    __whsectl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--format')
        return
        ;;
    '--timeout')
        return
        ;;
    '--idempotency-key')
        return
        ;;
    '--retries')
        return
        ;;
    '--journal')
        return
        ;;
    '--zone')
        return
        ;;
    '--bin')
        return
        ;;
    '--item')
        return
        ;;
    '--document-no')
        return
        ;;
    '--registering-date')
        return
        ;;
    esac
}

_whsectl_count_list() {
    repeating_flags=()
    non_repeating_flags=(--json --blind -h --help)
    repeating_options=()
    non_repeating_options=(--socket --format --timeout --idempotency-key --retries)
    __whsectl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--format')
        return
        ;;
    '--timeout')
        return
        ;;
    '--idempotency-key')
        return
        ;;
    '--retries')
        return
        ;;
    esac
}

_whsectl_count_journals() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--socket --format --timeout --idempotency-key --retries)
    __whsectl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--format')
        return
        ;;
    '--timeout')
        return
        ;;
    '--idempotency-key')
        return
        ;;
    '--retries')
        return
        ;;
    esac
}

_whsectl_count_enter() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--socket --format --timeout --idempotency-key --retries --line --bin --item --unit --lot --serial --expiration-date --quantity --file)
    __whsectl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--format')
        return
        ;;
    '--timeout')
        return
        ;;
    '--idempotency-key')
        return
        ;;
    '--retries')
        return
        ;;
    '--line')
        return
        ;;
    '--bin')
        return
        ;;
    '--item')
        return
        ;;
    '--unit')
        return
        ;;
    '--lot')
        return
        ;;
    '--serial')
        return
        ;;
    '--expiration-date')
        return
        ;;
    '--quantity')
        return
        ;;
    '--file')
        return
        ;;
    esac
}

_whsectl_count_recalculate() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=(--line)
    non_repeating_options=(--socket --format --timeout --idempotency-key --retries)
    __whsectl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--format')
        return
        ;;
    '--timeout')
        return
        ;;
    '--idempotency-key')
        return
        ;;
    '--retries')
        return
        ;;
    '--line')
        return
        ;;
    esac
}

_whsectl_count_register() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--socket --format --timeout --idempotency-key --retries)
    __whsectl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--format')
        return
        ;;
    '--timeout')
        return
        ;;
    '--idempotency-key')
        return
        ;;
    '--retries')
        return
        ;;
    esac
}

_whsectl_count_delete() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--socket --format --timeout --idempotency-key --retries)
    __whsectl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--format')
        return
        ;;
    '--timeout')
        return
        ;;
    '--idempotency-key')
        return
        ;;
    '--retries')
        return
        ;;
    esac
}

_whsectl_phys-inventory() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=()
    __whsectl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    calculate|show|enter|recalculate|post|delete)
        # Offer subcommand argument completions
        "_whsectl_phys-inventory_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'calculate show enter recalculate post delete' -- "${cur}"))
        ;;
    esac
}

_whsectl_phys-inventory_calculate() {
    repeating_flags=()
    non_repeating_flags=(--json --include-zero --counting-period-due -h --help)
    repeating_options=()
    non_repeating_options=(--socket --format --timeout --idempotency-key --retries --journal --item --bin --document-no --posting-date)
    __whsectl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--format')
        return
        ;;
    '--timeout')
        return
        ;;
    '--idempotency-key')
        return
        ;;
    '--retries')
        return
        ;;
    '--journal')
        return
        ;;
    '--item')
        return
        ;;
    '--bin')
        return
        ;;
    '--document-no')
        return
        ;;
    '--posting-date')
        return
        ;;
    esac
}

_whsectl_phys-inventory_show() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--socket --format --timeout --idempotency-key --retries)
    __whsectl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--format')
        return
        ;;
    '--timeout')
        return
        ;;
    '--idempotency-key')
        return
        ;;
    '--retries')
        return
        ;;
    esac
}

_whsectl_phys-inventory_enter() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--socket --format --timeout --idempotency-key --retries --line --item --bin --unit --lot --serial --quantity)
    __whsectl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--format')
        return
        ;;
    '--timeout')
        return
        ;;
    '--idempotency-key')
        return
        ;;
    '--retries')
        return
        ;;
    '--line')
        return
        ;;
    '--item')
        return
        ;;
    '--bin')
        return
        ;;
    '--unit')
        return
        ;;
    '--lot')
        return
        ;;
    '--serial')
        return
        ;;
    '--quantity')
        return
        ;;
    esac
}

_whsectl_phys-inventory_recalculate() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=(--line)
    non_repeating_options=(--socket --format --timeout --idempotency-key --retries)
    __whsectl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--format')
        return
        ;;
    '--timeout')
        return
        ;;
    '--idempotency-key')
        return
        ;;
    '--retries')
        return
        ;;
    '--line')
        return
        ;;
    esac
}

_whsectl_phys-inventory_post() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--socket --format --timeout --idempotency-key --retries)
    __whsectl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--format')
        return
        ;;
    '--timeout')
        return
        ;;
    '--idempotency-key')
        return
        ;;
    '--retries')
        return
        ;;
    esac
}

_whsectl_phys-inventory_delete() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--socket --format --timeout --idempotency-key --retries)
    __whsectl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--format')
        return
        ;;
    '--timeout')
        return
        ;;
    '--idempotency-key')
        return
        ;;
    '--retries')
        return
        ;;
    esac
}

_whsectl_entries() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=()
    __whsectl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    warehouse|item|phys|follow)
        # Offer subcommand argument completions
        "_whsectl_entries_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'warehouse item phys follow' -- "${cur}"))
        ;;
    esac
}

_whsectl_entries_warehouse() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--socket --format --timeout --idempotency-key --retries --location --bin --item --entry-type --document-no --lot --serial --from-date --to-date --from-entry --to-entry --after --limit)
    __whsectl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--format')
        return
        ;;
    '--timeout')
        return
        ;;
    '--idempotency-key')
        return
        ;;
    '--retries')
        return
        ;;
    '--location')
        return
        ;;
    '--bin')
        return
        ;;
    '--item')
        return
        ;;
    '--entry-type')
        __whsectl_add_completions -W 'positiveAdjmt'$'\n''negativeAdjmt'$'\n''purchase'$'\n''sale'$'\n''movement'$'\n''transfer'
        return
        ;;
    '--document-no')
        return
        ;;
    '--lot')
        return
        ;;
    '--serial')
        return
        ;;
    '--from-date')
        return
        ;;
    '--to-date')
        return
        ;;
    '--from-entry')
        return
        ;;
    '--to-entry')
        return
        ;;
    '--after')
        return
        ;;
    '--limit')
        return
        ;;
    esac
}

_whsectl_entries_item() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--socket --format --timeout --idempotency-key --retries --location --bin --item --entry-type --document-no --lot --serial --from-date --to-date --from-entry --to-entry --after --limit)
    __whsectl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--format')
        return
        ;;
    '--timeout')
        return
        ;;
    '--idempotency-key')
        return
        ;;
    '--retries')
        return
        ;;
    '--location')
        return
        ;;
    '--bin')
        return
        ;;
    '--item')
        return
        ;;
    '--entry-type')
        __whsectl_add_completions -W 'positiveAdjmt'$'\n''negativeAdjmt'$'\n''purchase'$'\n''sale'$'\n''movement'$'\n''transfer'
        return
        ;;
    '--document-no')
        return
        ;;
    '--lot')
        return
        ;;
    '--serial')
        return
        ;;
    '--from-date')
        return
        ;;
    '--to-date')
        return
        ;;
    '--from-entry')
        return
        ;;
    '--to-entry')
        return
        ;;
    '--after')
        return
        ;;
    '--limit')
        return
        ;;
    esac
}

_whsectl_entries_phys() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--socket --format --timeout --idempotency-key --retries --location --bin --item --entry-type --document-no --lot --serial --from-date --to-date --from-entry --to-entry --after --limit)
    __whsectl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--format')
        return
        ;;
    '--timeout')
        return
        ;;
    '--idempotency-key')
        return
        ;;
    '--retries')
        return
        ;;
    '--location')
        return
        ;;
    '--bin')
        return
        ;;
    '--item')
        return
        ;;
    '--entry-type')
        __whsectl_add_completions -W 'positiveAdjmt'$'\n''negativeAdjmt'$'\n''purchase'$'\n''sale'$'\n''movement'$'\n''transfer'
        return
        ;;
    '--document-no')
        return
        ;;
    '--lot')
        return
        ;;
    '--serial')
        return
        ;;
    '--from-date')
        return
        ;;
    '--to-date')
        return
        ;;
    '--from-entry')
        return
        ;;
    '--to-entry')
        return
        ;;
    '--after')
        return
        ;;
    '--limit')
        return
        ;;
    esac
}

_whsectl_entries_follow() {
    repeating_flags=()
    non_repeating_flags=(--json --once --heartbeats -h --help)
    repeating_options=()
    non_repeating_options=(--socket --format --timeout --idempotency-key --retries --after --epoch --heartbeat-millis)
    __whsectl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--format')
        return
        ;;
    '--timeout')
        return
        ;;
    '--idempotency-key')
        return
        ;;
    '--retries')
        return
        ;;
    '--after')
        return
        ;;
    '--epoch')
        return
        ;;
    '--heartbeat-millis')
        return
        ;;
    esac
}

_whsectl_server() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=()
    __whsectl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    status|metrics|verify|checkpoint|backup)
        # Offer subcommand argument completions
        "_whsectl_server_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'status metrics verify checkpoint backup' -- "${cur}"))
        ;;
    esac
}

_whsectl_server_status() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--socket --format --timeout --idempotency-key --retries)
    __whsectl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--format')
        return
        ;;
    '--timeout')
        return
        ;;
    '--idempotency-key')
        return
        ;;
    '--retries')
        return
        ;;
    esac
}

_whsectl_server_metrics() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--socket --format --timeout --idempotency-key --retries)
    __whsectl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--format')
        return
        ;;
    '--timeout')
        return
        ;;
    '--idempotency-key')
        return
        ;;
    '--retries')
        return
        ;;
    esac
}

_whsectl_server_verify() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--socket --format --timeout --idempotency-key --retries)
    __whsectl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--format')
        return
        ;;
    '--timeout')
        return
        ;;
    '--idempotency-key')
        return
        ;;
    '--retries')
        return
        ;;
    esac
}

_whsectl_server_checkpoint() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--socket --format --timeout --idempotency-key --retries)
    __whsectl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--format')
        return
        ;;
    '--timeout')
        return
        ;;
    '--idempotency-key')
        return
        ;;
    '--retries')
        return
        ;;
    esac
}

_whsectl_server_backup() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--socket --format --timeout --idempotency-key --retries)
    __whsectl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--format')
        return
        ;;
    '--timeout')
        return
        ;;
    '--idempotency-key')
        return
        ;;
    '--retries')
        return
        ;;
    esac
}

_whsectl_call() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--socket --format --timeout --idempotency-key --retries)
    __whsectl_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--format')
        return
        ;;
    '--timeout')
        return
        ;;
    '--idempotency-key')
        return
        ;;
    '--retries')
        return
        ;;
    esac
}

_whsectl_help() {
    :
}

complete -o filenames -F _whsectl whsectl
