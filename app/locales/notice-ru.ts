import type { noticeEn } from './notice-en'

export const noticeRu: Record<keyof typeof noticeEn, string> & Record<string, string> = {
  'privacy.org.pageTitle': 'Политика конфиденциальности: {organisation}',
  'privacy.org.title': 'Политика конфиденциальности: {organisation}',
  'privacy.org.lede':
    'Когда вы подписываете петицию «{campaign}», ваши данные хранит организация «{organisation}». Здесь сказано, как с ней связаться, сколько хранятся ваши данные, какие её системы их получают и как самим посмотреть или удалить их.',
  'privacy.org.holderHeading': 'Кто хранит ваши данные',
  'privacy.org.holder':
    'За ваши данные отвечает организация «{organisation}». Платформа петиций Chorus хранит их для организации «{organisation}» в зашифрованном виде и ни для чего другого не использует.',
  'privacy.org.contactHeading': 'Как связаться с организацией «{organisation}»',
  'privacy.org.contactEmail': 'Эл. почта:',
  'privacy.org.website': 'Сайт:',
  'privacy.org.ownPolicy': 'Её собственная политика конфиденциальности:',
  'privacy.org.noContact': 'Организация «{organisation}» пока не указала адрес для связи. Посмотреть и удалить свои данные вы можете сами — см. ниже.',
  'privacy.org.keptHeading': 'Сколько хранятся ваши данные',
  'privacy.org.keptSigners':
    'Имя, адрес электронной почты и почтовый индекс — {period} после завершения кампании, затем они удаляются. Страна, день подписи и счётчик остаются, поэтому итоги не меняются.',
  'privacy.org.keptUnconfirmed': 'Подпись, которую вы так и не подтвердили по почте, удаляется через {period}.',
  'privacy.org.keptDonors':
    'Если вы делаете пожертвование: имя и адрес электронной почты хранятся {period} после пожертвования, как того требует бухгалтерский учёт, затем удаляются; сумма и дата остаются.',
  'privacy.org.keptAddressHash':
    'Хеш вашего интернет-адреса с секретным ключом (сам адрес не хранится), нужный только для защиты от злоупотреблений, удаляется через {period}.',
  'privacy.org.months': '{count} месяца',
  'privacy.org.months#one': '{count} месяц',
  'privacy.org.months#few': '{count} месяца',
  'privacy.org.months#many': '{count} месяцев',
  'privacy.org.days': '{count} дня',
  'privacy.org.days#one': '{count} день',
  'privacy.org.days#few': '{count} дня',
  'privacy.org.days#many': '{count} дней',
  'privacy.org.years': '{count} года',
  'privacy.org.years#one': '{count} год',
  'privacy.org.years#few': '{count} года',
  'privacy.org.years#many': '{count} лет',
  'privacy.org.receiveHeading': 'Какие системы получают ваши данные',
  'privacy.org.receiveIntro':
    'Кроме команды организации «{organisation}» в её рабочем пространстве Chorus, подтверждённые подписи через API Chorus могут читать эти системы организации «{organisation}» (у каждой свой ключ с названием, которое ему дали в организации «{organisation}»):',
  'privacy.org.receiveWithEmail':
    '{name}: адрес электронной почты, страна и почтовый индекс, а имя — только если вы согласились его показывать (здесь хранится список сторонников — синхронизация с CRM)',
  'privacy.org.receiveWithoutEmail': '{name}: страна и почтовый индекс, а имя — только если вы согласились его показывать; адрес электронной почты — никогда',
  'privacy.org.receiveNone': 'Другие системы организации «{organisation}» данные подписавших не получают: у неё нет API-ключей, которые могут читать подписи.',
  'privacy.org.namesAndEmails':
    'Ваше имя эти системы получают, только если вы отметили, что согласны показывать имя; иначе они получают вашу подпись без него. Адреса электронной почты получают только системы, отмеченные для синхронизации с CRM.',
  'privacy.org.names':
    'Ваше имя и страна видны на странице кампании, а полное имя и страна попадают в список подписей, который передают адресатам петиции, только если вы отметили, что согласны показывать имя. Адрес электронной почты никогда не публикуется и не передаётся.',
  'privacy.org.yourDataHeading': 'Посмотреть, скачать или удалить свои данные',
  'privacy.org.yourData':
    'Учётная запись не нужна. Введите адрес электронной почты на странице по ссылке ниже, и мы пришлём ссылку, которая действует один час. По ней видны все подписи, пожертвования и настройки рассылок для этого адреса; их можно скачать и удалить.',
  'privacy.org.yourDataLink': 'Посмотреть или удалить свои данные',
  'privacy.org.platform': 'Как с данными обращается сам Chorus:',
  'privacy.org.platformLink': 'политика конфиденциальности платформы',
  'privacy.org.back': 'Вернуться к петиции',

  'admin.retention.legend': 'Хранение данных',
  'admin.retention.intro':
    'Сколько хранятся контактные данные сторонников, прежде чем Chorus удалит их при ночной очистке. Эти сроки указаны в политике конфиденциальности рядом с каждой формой подписи.',
  'admin.retention.signerMonths': 'Имя, почта и индекс подписавших (месяцев после завершения кампании)',
  'admin.retention.signerMonthsHint': 'От 1 до 120. Счётчики, страны и дни остаются.',
  'admin.retention.unconfirmedDays': 'Неподтверждённые подписи (дней)',
  'admin.retention.unconfirmedDaysHint': 'От 1 до 365.',
  'admin.retention.financialYears': 'Имя и почта жертвователей (лет после пожертвования)',
  'admin.retention.financialYearsHint': 'От 1 до 30. Уточните, чего требует закон о бухгалтерском учёте.',
  'admin.retention.save': 'Сохранить сроки хранения',
  'admin.retention.error.signerMonths': 'Введите целое число месяцев от 1 до 120',
  'admin.retention.error.unconfirmedDays': 'Введите целое число дней от 1 до 365',
  'admin.retention.error.financialYears': 'Введите целое число лет от 1 до 30',
  'reach.org.done.retention-saved': 'Сроки хранения сохранены.',
  'admin.audit.action.organisation.retention_updated': 'Изменил(а) сроки хранения данных сторонников',
}
