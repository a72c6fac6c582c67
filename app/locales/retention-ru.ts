import type { retentionEn } from './retention-en'

export const retentionRu: Record<keyof typeof retentionEn, string> & Record<string, string> = {
  'admin.dashboard.erasureOn': 'Имена, адреса электронной почты и почтовые индексы подписавших будут стёрты {date}. Счётчики, страны и график останутся.',
  'admin.dashboard.erasureAfterClose':
    'Имена, адреса электронной почты и почтовые индексы подписавших будут стёрты через {count} месяцев после закрытия кампании. Счётчики, страны и график останутся.',
  'admin.dashboard.erasureAfterClose#one':
    'Имена, адреса электронной почты и почтовые индексы подписавших будут стёрты через {count} месяц после закрытия кампании. Счётчики, страны и график останутся.',
  'admin.dashboard.erasureAfterClose#few':
    'Имена, адреса электронной почты и почтовые индексы подписавших будут стёрты через {count} месяца после закрытия кампании. Счётчики, страны и график останутся.',
  'admin.dashboard.erasureAfterClose#many':
    'Имена, адреса электронной почты и почтовые индексы подписавших будут стёрты через {count} месяцев после закрытия кампании. Счётчики, страны и график останутся.',
  'admin.dashboard.erasureAfterClose#other':
    'Имена, адреса электронной почты и почтовые индексы подписавших будут стёрты через {count} месяца после закрытия кампании. Счётчики, страны и график останутся.',
  'admin.dashboard.erasurePast': 'Имена, адреса электронной почты и почтовые индексы подписавших стёрты (срок — {date}). Счётчики, страны и график остались.',

  'admin.supporters.erased': 'Стёрто',
  'admin.supporters.erasedRow': 'Контактные данные стёрты',
  'admin.supporters.exportButton': 'Выгрузить',
  'admin.supporters.exportLabel': 'Выгрузить всё, что хранится о {name}',
  'admin.supporters.eraseLink': 'Стереть',
  'admin.supporters.eraseLinkLabel': 'Стереть всё, что хранится о {name}',
  'admin.supporters.eraseHeading': 'Стереть данные этого сторонника?',
  'admin.supporters.eraseBody':
    'Все подписи, пожертвования и письма, которые организация хранит для этого адреса, будут стёрты сейчас, восстановить их нельзя. Счётчики останутся, а на адрес, с которого письма возвращались или который отписался, писем по-прежнему не будет.',
  'admin.supporters.eraseButton': 'Стереть данные',
  'admin.supporters.done.erased': 'Всё, что хранилось для этого адреса, стёрто.',
  'admin.supporters.error.confirmErasure': 'Подтвердите удаление кнопкой.',
  'admin.supporters.error.alreadyErased': 'Контактные данные этого сторонника уже стёрты.',

  'admin.audit.action.retention.erased': 'Стёрты контактные данные по сроку хранения',
  'admin.audit.action.supporter.erased': 'Стёрты данные сторонника',
  'admin.audit.action.supporter.exported': 'Выгружены данные сторонника',
}
